// Project settings: name, id (copy), legacy project tokens under a migration banner with the
// "replace with a service account" flow, which ends on the ready-to-paste flags page.
import { api, can } from '../api.js';
import { h, field, select, table, time, copyField, errorBox, formDialog, confirmDialog, badge } from '../dom.js';
import { tokenReveal, clientSetup, SERVICE_ACCOUNT_NAME_HINT, loadRoles } from '../components.js';
import { projectPermissions, serviceAccountTokens, migrationReport, nodesBySource, replacedByCell } from '../access.js';

// The replacement's secret lives only in memory, for the one page that shows it.
let lastReplacement = null;

export async function render(ctx, projectId) {
  const { main } = ctx;
  const project = (await api.get(`/v1/projects/${projectId}`)).project;
  if (ctx.variant === 'migrated') {
    renderMigrated(ctx, project);
    return;
  }
  const org = project.organizationId;
  const [canUpdate, canDelete, canCreateSa] = await Promise.all([
    can(org, 'project.update', projectId), can(org, 'project.delete', projectId), can(org, 'serviceaccount.create')]);
  const notice = errorBox();
  const name = field('Project name', h('input', { type: 'text', required: true, value: project.name, disabled: !canUpdate }));
  const saved = h('span', { class: 'ok', role: 'status' });
  const nameForm = h('form', { class: 'inline-form' }, name.row,
    canUpdate ? h('button', { type: 'submit' }, 'Rename') : null, saved);
  nameForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    notice.hide();
    try {
      await api.patch(`/v1/projects/${projectId}`, { name: name.input.value.trim() });
      saved.textContent = 'Saved.';
      await ctx.refreshProjects();
    } catch (ex) { notice.show(ex); }
  });
  const legacyEl = h('div');
  const accessEl = h('div', {}, h('p', { class: 'muted' }, 'Loading...'));
  const revealEl = h('div');
  const createBtn = h('button', { type: 'button', onclick: createLegacy, hidden: true }, 'Create legacy token');
  main.append(
    h('h1', {}, 'Project settings'),
    notice.el,
    h('section', { class: 'card' }, nameForm, copyField('Project id', project.id),
      h('p', { class: 'hint' }, 'Clients send it as the projectID gRPC header.')),
    h('section', {},
      h('div', { class: 'section-head' }, h('h2', {}, 'Legacy API tokens'), createBtn),
      h('div', { class: 'banner', role: 'note' },
        h('strong', {}, 'Move to service accounts. '),
        'Legacy project tokens cannot be scoped, expired or audited per client. Replace each with a service account ',
        'token: Tollgate creates the account, binds the least role your client needs and gives you the new flags. ',
        'The old token keeps working until you delete it, so switch clients first, check data arrives, then delete it.'),
      revealEl, legacyEl),
    h('section', {},
      h('h2', {}, 'Access to this project'),
      h('p', { class: 'hint' }, 'The role bindings that grant in this project (its own and the organization-wide ones) and the service-account tokens bound to it.'),
      accessEl),
    canDelete ? h('section', { class: 'danger-zone' },
      h('h2', {}, 'Delete project'),
      h('p', {}, 'Deletes the project and its role bindings. Clients sending to it are refused.'),
      h('button', { type: 'button', class: 'danger', onclick: deleteProject }, 'Delete project')) : null);

  let canCreateLegacy = false;
  // Filled by loadAccess: the organization's tokens, for "replaced by".
  let saTokens = [];
  async function load() {
    let tokens;
    let report;
    let nodes;
    try {
      [tokens, report, nodes] = await Promise.all([
        api.get(`/v1/projects/${projectId}/tokens`).then((r) => r.tokens || []),
        migrationReport(org),
        nodesBySource(projectId)]);
    } catch (e) {
      legacyEl.replaceChildren(h('p', { class: 'empty' }, e.status === 404
        ? 'This server does not offer legacy project tokens.' : e.message));
      return;
    }
    const usage = new Map(((report && report.tokens) || []).map((t) => [t.id, t]));
    canCreateLegacy = canUpdate;
    createBtn.hidden = !canCreateLegacy;
    legacyEl.replaceChildren(table([
      { label: 'Name', cell: (t) => t.name },
      { label: 'Created', cell: (t) => time(t.createdAt) },
      { label: 'Last used', cell: (t) => time((usage.get(t.id) || t).lastUsedAt) },
      {
        label: 'Calls',
        cell: (t) => (usage.has(t.id) ? `${usage.get(t.id).callsLast24h} in 24 h, ${usage.get(t.id).callsLast7d} in 7 days` : ''),
      },
      { label: 'Nodes', cell: (t) => (nodes.get(t.id) || []).map((n) => n.node).join(', ') || h('span', { class: 'muted' }, 'none seen') },
      { label: 'Replaced by', cell: (t) => replacedByCell(usage.has(t.id) ? usage.get(t.id).replacement : t.replacement, saTokens) },
      {
        label: 'Actions',
        cell: (t) => h('div', { class: 'row-actions' },
          canCreateSa ? h('button', { type: 'button', class: 'small primary', onclick: () => replace(t) }, 'Replace with a service account') : null,
          canUpdate ? h('button', { type: 'button', class: 'small danger', 'aria-label': `Delete legacy token ${t.name}`, onclick: () => remove(t) }, 'Delete') : null),
      },
    ], tokens, 'No legacy tokens in this project.', 'Legacy tokens'));
  }

  function createLegacy() {
    const tname = field('Token name', h('input', { type: 'text', required: true, autocomplete: 'off' }));
    formDialog('Create legacy token', [tname], 'Create', async (close) => {
      const r = await api.post(`/v1/projects/${projectId}/tokens`, { name: tname.input.value.trim() });
      const t = r.token && typeof r.token === 'object' ? r.token : r;
      close();
      revealEl.replaceChildren(h('div', { class: 'card' }, h('h3', {}, `New legacy token "${t.name}"`), tokenReveal(t.token),
        h('button', { type: 'button', onclick: () => revealEl.replaceChildren() }, 'I have copied it')));
      await load();
    });
  }

  async function remove(t) {
    if (!await confirmDialog(`Delete legacy token "${t.name}"?`, 'Clients still using it are refused from their next call.')) return;
    notice.hide();
    try {
      await api.del(`/v1/projects/${projectId}/tokens/${t.id}`);
      await load();
    } catch (e) { notice.show(e); }
  }

  function replace(t) {
    const kind = field('The client using this token is', select([
      { value: 'system:writer', label: 'Parca Agent (Writer: profiles and debug info)' },
      { value: 'system:profile-writer', label: 'Parca scraper (Profile Writer: profiles only)' },
    ], 'system:writer'));
    const saName = field('New service account name', h('input', {
      type: 'text', required: true, autocomplete: 'off',
      value: `${t.name}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'migrated-client',
    }), SERVICE_ACCOUNT_NAME_HINT);
    formDialog(`Replace "${t.name}"`, [kind, saName], 'Create service account and token', async (close) => {
      const role = kind.input.value;
      const r = await api.post(`/v1/projects/${projectId}/tokens/${t.id}/replace`, { serviceAccountName: saName.input.value.trim(), role });
      lastReplacement = { projectId, legacyName: t.name, role, response: r };
      close();
      ctx.navigate(`#/projects/${projectId}/settings/migrated`);
    });
  }

  async function loadAccess() {
    try {
      const [bindingList, roles, sa] = await Promise.all([
        api.get(`/v1/organizations/${org}/rolebindings`).then((r) => r.roleBindings || []),
        loadRoles(org),
        serviceAccountTokens(org)]);
      saTokens = sa.tokens;
      const roleById = new Map(roles.map((r) => [r.id, r]));
      const granting = bindingList.filter((b) => !b.projectId || b.projectId === projectId);
      const bound = sa.tokens.filter((t) => t.projectId === projectId);
      accessEl.replaceChildren(
        h('h3', {}, 'Role bindings granting here'),
        table([
          { label: 'Subject', cell: (b) => h('code', {}, b.subject) },
          { label: 'Role', cell: (b) => h('code', { class: 'role' }, b.role) },
          { label: 'Scope', cell: (b) => (b.projectId ? 'this project' : badge('organization-wide', 'warn')) },
          { label: 'Permissions here', cell: (b) => projectPermissions(roleById.get(b.role)).join(', ') || h('span', { class: 'muted' }, 'none in a project') },
        ], granting, 'No role binding grants in this project.', 'Bindings granting in this project'),
        h('h3', {}, 'Service-account tokens bound to this project'),
        table([
          { label: 'Service account', cell: (t) => h('code', {}, `serviceaccount:${t.serviceAccountName}`) },
          { label: 'Token', cell: (t) => t.name },
          { label: 'Last used', cell: (t) => time(t.lastUsedAt) },
          { label: 'Expires', cell: (t) => time(t.expiresAt, 'never') },
        ], bound, 'No service-account token is bound to this project.', 'Tokens bound to this project'));
    } catch (e) {
      accessEl.replaceChildren(h('p', { class: 'empty' }, e.status === 403
        ? 'You may not list the organization\'s role bindings and service accounts.' : e.message));
    }
  }

  async function deleteProject() {
    if (!await confirmDialog(`Delete project ${project.name}?`, 'This cannot be undone.')) return;
    try {
      await api.del(`/v1/projects/${projectId}`);
      await ctx.refreshProjects();
      ctx.navigate(`#/orgs/${org}/projects`);
    } catch (e) { notice.show(e); }
  }

  await loadAccess();
  await load();
}

/** The end of the replace flow: the new token once, and flags ready to paste. */
function renderMigrated(ctx, project) {
  const { main } = ctx;
  const rep = lastReplacement && lastReplacement.projectId === project.id ? lastReplacement : null;
  const r = rep ? rep.response : {};
  const tokenObj = r.token && typeof r.token === 'object' ? r.token : null;
  const secret = tokenObj ? tokenObj.token : (typeof r.token === 'string' ? r.token : null);
  const sa = r.serviceAccount || null;
  const kind = rep && rep.role === 'system:profile-writer' ? 'scraper' : 'agent';
  main.append(
    h('p', { class: 'crumbs' }, h('a', { href: `#/projects/${project.id}/settings` }, 'Project settings'), ' / '),
    h('h1', {}, 'Switch your client to the service account'),
    rep
      ? h('p', { class: 'lead' }, 'Created ', sa ? h('code', {}, `serviceaccount:${sa.name}`) : 'a service account',
        ' with ', h('code', {}, rep.role), ` in ${project.name}, and a token for it. It replaces the legacy token "${rep.legacyName}".`)
      : h('p', { class: 'lead' }, 'The new token was shown once when it was created. Paste it where the snippets say.'),
    secret ? tokenReveal(secret) : null,
    h('ol', { class: 'steps' },
      h('li', {}, 'Write the token into the file ', h('code', {}, '/var/run/secrets/tollgate/token'), ' (or apply the Kubernetes Secret).'),
      h('li', {}, 'Restart the client with the flags below.'),
      h('li', {}, h('a', { href: `#/projects/${project.id}` }, 'Check that data arrives'), ' from the new token.'),
      h('li', {}, 'Then delete the legacy token in ', h('a', { href: `#/projects/${project.id}/settings` }, 'project settings'), '.')),
    clientSetup(project.id, secret, kind),
    h('details', {}, h('summary', {}, kind === 'agent' ? 'Flags for a Parca scraper instead' : 'Flags for a Parca Agent instead'),
      clientSetup(project.id, secret, kind === 'agent' ? 'scraper' : 'agent')));
  lastReplacement = null;
}
