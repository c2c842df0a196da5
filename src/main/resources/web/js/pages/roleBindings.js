// Identity & Access -> Role Bindings: filter by subject, role and project; create; delete
// (the server explains why the last owner binding cannot go).
import { api, can } from '../api.js';
import { h, field, select, table, time, errorBox, formDialog, confirmDialog } from '../dom.js';
import { loadRoles, roleSelect, projectSelect, bindingEntity } from '../components.js';

export async function render(ctx, orgId) {
  const { main } = ctx;
  const base = `/v1/organizations/${orgId}/rolebindings`;
  const [canCreate, canDelete] = await Promise.all([can(orgId, 'rolebinding.create'), can(orgId, 'rolebinding.delete')]);
  const roles = await loadRoles(orgId);
  const notice = errorBox();
  const subjectFilter = field('Subject contains', h('input', { type: 'search', autocomplete: 'off' }));
  const roleFilter = field('Role', select([{ value: '', label: 'Any role' }, ...roles.map((r) => ({ value: r.id, label: r.name }))], ''));
  const projectFilter = field('Project', projectSelect(ctx.projects, '', 'Any project'));
  const listEl = h('div');
  let bindings = [];
  main.append(
    h('div', { class: 'page-head' },
      h('h1', {}, 'Role Bindings'),
      canCreate ? h('button', { type: 'button', class: 'primary', onclick: create }, 'Create Role Binding') : null),
    h('p', { class: 'lead' }, 'Who has which role, organization-wide or in one project.'),
    h('div', { class: 'filters', role: 'search' }, subjectFilter.row, roleFilter.row, projectFilter.row),
    notice.el, listEl);
  for (const f of [subjectFilter, roleFilter, projectFilter]) f.input.addEventListener('input', draw);

  async function load() {
    bindings = (await api.get(base)).roleBindings || [];
    draw();
  }

  function draw() {
    const s = subjectFilter.input.value.trim().toLowerCase();
    const r = roleFilter.input.value;
    const p = projectFilter.input.value;
    const rows = bindings.filter((b) => (!s || b.subject.toLowerCase().includes(s))
      && (!r || b.role === r) && (!p || b.projectId === p));
    listEl.replaceChildren(table([
      { label: 'Subject', cell: (b) => h('code', {}, b.subject) },
      { label: 'Role', cell: (b) => h('code', { class: 'role' }, b.role) },
      { label: 'Entity', cell: (b) => bindingEntity(ctx.projects, b) },
      { label: 'Created', cell: (b) => time(b.createdAt) },
      { label: 'Created by', cell: (b) => b.createdBy || '' },
      {
        label: 'Actions',
        cell: (b) => (canDelete ? h('button', { type: 'button', class: 'small danger', 'aria-label': `Delete binding of ${b.subject}`, onclick: () => remove(b) }, 'Delete') : ''),
      },
    ], rows, bindings.length ? 'No binding matches the filters.' : 'No role bindings.', 'Role bindings'));
  }

  async function remove(b) {
    if (!await confirmDialog('Delete role binding?', `${b.subject} loses ${b.role}.`)) return;
    notice.hide();
    try {
      await api.del(`${base}/${b.id}`);
      await load();
    } catch (e) {
      notice.show(e); // e.g. 409: the last owner binding of the organization cannot be removed
    }
  }

  async function create() {
    const [sas, users] = await Promise.all([
      api.get(`/v1/organizations/${orgId}/serviceaccounts`).then((r) => r.serviceAccounts || []).catch(() => []),
      api.get(`/v1/organizations/${orgId}/users`).then((r) => r.users || []).catch(() => []),
    ]);
    const kind = field('Subject type', select([{ value: 'serviceaccount', label: 'Service account' }, { value: 'user', label: 'User' }], 'serviceaccount'));
    const subject = field('Subject', h('select', { required: true }));
    const fill = () => {
      const opts = kind.input.value === 'user'
        ? users.map((u) => ({ value: `user:local:${u.email}`, label: u.email }))
        : sas.map((a) => ({ value: `serviceaccount:${a.name}`, label: a.name }));
      subject.input.replaceChildren(...opts.map((o) => h('option', { value: o.value }, o.label)));
    };
    kind.input.addEventListener('change', fill);
    fill();
    const role = field('Role', roleSelect(roles, 'system:viewer'));
    const project = field('Project', projectSelect(ctx.projects, ''), 'Optional: limit the role to one project.');
    formDialog('Create Role Binding', [kind, subject, role, project], 'Create Role Binding', async (close) => {
      await api.post(base, { subject: subject.input.value, role: role.input.value, projectId: project.input.value || undefined });
      close();
      await load();
    });
  }

  await load();
}
