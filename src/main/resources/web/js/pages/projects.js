// The organization's projects; creating one leads into the guided set-up.
import { api, can } from '../api.js';
import { h, field, table, time, formDialog } from '../dom.js';

export async function render(ctx, orgId) {
  const { main } = ctx;
  const canCreate = await can(orgId, 'project.create');
  const projects = await ctx.refreshProjects();
  main.append(
    h('div', { class: 'page-head' },
      h('h1', {}, 'Projects'),
      canCreate ? h('button', { type: 'button', class: 'primary', onclick: create }, 'Create Project') : null),
    h('p', { class: 'lead' }, 'Profiles are stored per project; agents name the project with the projectID header.'),
    table([
      { label: 'Name', cell: (p) => h('a', { href: `#/projects/${p.id}` }, p.name) },
      { label: 'Project id', cell: (p) => h('code', {}, p.id) },
      { label: 'Created', cell: (p) => time(p.createdAt) },
      { label: '', cell: (p) => h('a', { href: `#/projects/${p.id}/settings`, 'aria-label': `Settings of ${p.name}` }, 'Settings') },
    ], projects, 'No projects yet.', 'Projects'));

  function create() {
    const name = field('Project name', h('input', { type: 'text', required: true, autocomplete: 'off', placeholder: 'production' }));
    formDialog('Create Project', [name], 'Create', async (close) => {
      const r = await api.post(`/v1/organizations/${orgId}/projects`, { name: name.input.value.trim() });
      close();
      await ctx.refreshProjects();
      ctx.navigate(`#/projects/${r.project.id}/onboarding`);
    });
  }
}
