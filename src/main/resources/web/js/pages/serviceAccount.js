// One service account: its tokens (create, shown once, delete) and its role bindings.
import { api, can } from '../api.js';
import { h, field, table, time, badge, errorBox, openDialog, formDialog, confirmDialog } from '../dom.js';
import { tokenReveal, bindRoleForm, loadRoles, projectSelect, projectName, expiryField } from '../components.js';

export async function render(ctx, orgId, saId) {
  const { main } = ctx;
  const base = `/v1/organizations/${orgId}/serviceaccounts/${saId}`;
  let sa = (await api.get(base)).serviceAccount;
  const [canCreateToken, canDeleteToken, canBind, canUnbind, canDisable] = await Promise.all([
    can(orgId, 'serviceaccounttoken.create'), can(orgId, 'serviceaccounttoken.delete'),
    can(orgId, 'rolebinding.create'), can(orgId, 'rolebinding.delete'), can(orgId, 'serviceaccount.delete')]);
  const notice = errorBox();
  const head = h('div');
  const tokensEl = h('div');
  const bindingsEl = h('div');
  const revealEl = h('div');
  main.append(
    h('p', { class: 'crumbs' }, h('a', { href: `#/orgs/${orgId}/iam/serviceaccounts` }, 'Service Accounts'), ' / '),
    head, notice.el,
    h('section', {},
      h('div', { class: 'section-head' },
        h('h2', {}, 'Tokens'),
        canCreateToken ? h('button', { type: 'button', class: 'primary', onclick: createToken }, 'Create Token') : null),
      revealEl, tokensEl),
    h('section', {},
      h('div', { class: 'section-head' },
        h('h2', {}, 'Role bindings'),
        canBind ? h('button', { type: 'button', onclick: addBinding }, 'Create Role Binding') : null),
      bindingsEl));

  function renderHead() {
    head.replaceChildren(h('div', { class: 'page-head' },
      h('h1', {}, sa.name, ' ', sa.disabled ? badge('disabled', 'warn') : null),
      canDisable ? h('button', { type: 'button', onclick: toggle }, sa.disabled ? 'Enable' : 'Disable') : null),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Subject'), h('dd', {}, h('code', {}, `serviceaccount:${sa.name}`)),
      h('dt', {}, 'Created'), h('dd', {}, time(sa.createdAt), ' by ', sa.createdBy || 'unknown'),
      h('dt', {}, 'Id'), h('dd', {}, h('code', {}, sa.id))));
  }

  async function toggle() {
    notice.hide();
    try {
      sa = (await api.post(`${base}/${sa.disabled ? 'enable' : 'disable'}`)).serviceAccount;
      renderHead();
    } catch (e) { notice.show(e); }
  }

  async function loadTokens() {
    const tokens = (await api.get(`${base}/tokens`)).tokens || [];
    tokensEl.replaceChildren(table([
      { label: 'Name', cell: (t) => t.name },
      { label: 'Created', cell: (t) => time(t.createdAt) },
      { label: 'Last used', cell: (t) => time(t.lastUsedAt) },
      { label: 'Expires', cell: (t) => time(t.expiresAt, 'no expiry') },
      { label: 'Project', cell: (t) => projectName(ctx.projects, t.projectId) },
      {
        label: 'Actions',
        cell: (t) => (canDeleteToken
          ? h('button', { type: 'button', class: 'small danger', 'aria-label': `Delete token ${t.name}`, onclick: () => deleteToken(t) }, 'Delete')
          : ''),
      },
    ], tokens, 'No tokens yet.', 'Tokens'));
  }

  async function deleteToken(t) {
    if (!await confirmDialog(`Delete token "${t.name}"?`, 'Clients using this token are refused from their next call. This cannot be undone.')) return;
    notice.hide();
    try {
      await api.del(`${base}/tokens/${t.id}`);
      revealEl.replaceChildren();
      await loadTokens();
    } catch (e) { notice.show(e); }
  }

  function createToken() {
    const name = field('Token name', h('input', { type: 'text', required: true, autocomplete: 'off', placeholder: 'prod-cluster-1' }));
    const project = field('Project', projectSelect(ctx.projects, '', 'Any project the account is bound to'), 'Optional: tie the token to one project.');
    const expires = expiryField();
    formDialog('Create Token', [name, project, expires], 'Create token', async (close) => {
      const r = await api.post(`${base}/tokens`, {
        name: name.input.value.trim(),
        projectId: project.input.value || undefined,
        expiresAt: expires.value(),
      });
      close();
      revealEl.replaceChildren(h('div', { class: 'card' },
        h('h3', {}, `New token "${r.token.name}"`),
        tokenReveal(r.token.token),
        h('button', { type: 'button', onclick: () => revealEl.replaceChildren() }, 'I have copied it')));
      await loadTokens();
      revealEl.querySelector('input').focus();
    });
  }

  async function loadBindings() {
    const bindings = (await api.get(`${base}/rolebindings`)).roleBindings || [];
    bindingsEl.replaceChildren(table([
      { label: 'Role', cell: (b) => h('code', {}, b.role) },
      { label: 'Project', cell: (b) => projectName(ctx.projects, b.projectId) },
      { label: 'Created', cell: (b) => time(b.createdAt) },
      {
        label: 'Actions',
        cell: (b) => (canUnbind ? h('button', { type: 'button', class: 'small danger', onclick: () => unbind(b) }, 'Delete') : ''),
      },
    ], bindings, 'No role bindings: this account cannot do anything yet.', 'Role bindings'));
  }

  async function unbind(b) {
    if (!await confirmDialog('Delete role binding?', `${sa.name} loses ${b.role}.`)) return;
    notice.hide();
    try {
      await api.del(`/v1/organizations/${orgId}/rolebindings/${b.id}`);
      await loadBindings();
    } catch (e) { notice.show(e); }
  }

  async function addBinding() {
    const roles = await loadRoles(orgId);
    openDialog('Create Role Binding', (close) => bindRoleForm(orgId, `serviceaccount:${sa.name}`, roles, ctx.projects,
      async () => { close(); await loadBindings(); }, { onSkip: close, skipLabel: 'Cancel', submitLabel: 'Create Role Binding' }));
  }

  renderHead();
  await Promise.all([loadTokens(), loadBindings()]);
}
