// Identity & Access -> Service Accounts: list, create, delete, disable/enable, and the
// "Create API Token" dialog (existing account or a new one, then the role-binding step).
import { api, can } from '../api.js';
import { h, field, select, table, time, badge, errorBox, openDialog, formDialog, confirmDialog } from '../dom.js';
import { tokenReveal, bindRoleForm, loadRoles, roleSelect, projectSelect, expiryField, SERVICE_ACCOUNT_NAME_HINT } from '../components.js';

export async function render(ctx, orgId) {
  const { main } = ctx;
  const base = `/v1/organizations/${orgId}/serviceaccounts`;
  const [canCreate, canDelete, canCreateToken] = await Promise.all([
    can(orgId, 'serviceaccount.create'), can(orgId, 'serviceaccount.delete'), can(orgId, 'serviceaccounttoken.create')]);
  const notice = errorBox();
  const listEl = h('div');
  const createButton = canCreate ? h('button', { type: 'button', onclick: createAccount }, 'Create Service Account') : null;
  const quotaEl = h('p', { class: 'muted', role: 'status' });
  const search = field('Search', h('input', { type: 'search', autocomplete: 'off', placeholder: 'name or role' }));
  let accounts = [];
  main.append(
    h('div', { class: 'page-head' },
      h('h1', {}, 'Service Accounts'),
      h('div', { class: 'buttons' },
        canCreateToken ? h('button', { type: 'button', class: 'primary', onclick: () => createTokenDialog(ctx, orgId, load) }, 'Create API Token') : null,
        createButton)),
    h('p', { class: 'lead' }, 'Machine identities for agents, scrapers and CI. Give each a role, then create tokens for it.'),
    h('div', { class: 'filters' }, search.row, quotaEl),
    notice.el, listEl);
  search.input.addEventListener('input', draw);

  async function load() {
    const r = await api.get(base);
    accounts = r.serviceAccounts || [];
    const quota = r.quota || { used: accounts.length, max: 50 };
    quotaEl.textContent = `${quota.used} of ${quota.max} service accounts`;
    if (createButton) {
      const full = quota.used >= quota.max;
      createButton.disabled = full;
      createButton.title = full ? `The organization has ${quota.used} of ${quota.max} service accounts; delete one to create another.` : '';
      if (full) quotaEl.textContent += ' - the maximum: delete one to create another.';
    }
    draw();
  }

  function draw() {
    const q = search.input.value.trim().toLowerCase();
    const rows = accounts.filter((a) => !q || a.name.includes(q) || rolesText(ctx, a).toLowerCase().includes(q));
    listEl.replaceChildren(table([
      { label: 'Name', cell: (a) => h('a', { href: `#/orgs/${orgId}/iam/serviceaccounts/${a.id}` }, a.name) },
      { label: 'Roles', cell: (a) => (a.roles ? rolesText(ctx, a) : '') },
      { label: 'Last used', cell: (a) => time(a.lastUsedAt, 'never') },
      { label: 'Created', cell: (a) => time(a.createdAt) },
      { label: 'Created by', cell: (a) => a.createdBy || '' },
      { label: 'Tokens', cell: (a) => String(a.tokenCount) },
      { label: 'Status', cell: (a) => (a.disabled ? badge('disabled', 'warn') : badge('active', 'ok')) },
      {
        label: 'Actions',
        cell: (a) => h('div', { class: 'row-actions' },
          canDelete ? h('button', { type: 'button', class: 'small', onclick: () => toggle(a) }, a.disabled ? 'Enable' : 'Disable') : null,
          canDelete ? h('button', { type: 'button', class: 'small danger', 'aria-label': `Delete ${a.name}`, onclick: () => remove(a) }, 'Delete') : null),
      },
    ], rows, accounts.length ? 'No service account matches.' : 'No service accounts yet. Create one for each agent, scraper or CI job.', 'Service accounts'));
  }

  async function toggle(a) {
    notice.hide();
    try {
      await api.post(`${base}/${a.id}/${a.disabled ? 'enable' : 'disable'}`);
      await load();
    } catch (e) { notice.show(e); }
  }

  async function remove(a) {
    if (!await confirmDialog(`Delete ${a.name}?`,
      `The service account "${a.name}", its ${a.tokenCount} token(s) and its role bindings are deleted. Clients using its tokens are refused from then on.`)) return;
    notice.hide();
    try {
      await api.del(`${base}/${a.id}`);
      await load();
    } catch (e) { notice.show(e); }
  }

  function createAccount() {
    const name = field('Name', h('input', { type: 'text', required: true, autocomplete: 'off', placeholder: 'production-scraper' }),
      SERVICE_ACCOUNT_NAME_HINT);
    formDialog('Create Service Account', [name], 'Create', async (close) => {
      const r = await api.post(base, { name: name.input.value.trim() });
      close();
      await load();
      offerBinding(ctx, orgId, r.serviceAccount, load);
    });
  }

  await load();
}

/** After a new account: grant it a role right away (or skip). */
export async function offerBinding(ctx, orgId, account, after) {
  const roles = await loadRoles(orgId);
  openDialog(`Grant ${account.name} a role`, (close) => h('div', {},
    h('p', { class: 'hint' }, 'A service account can do nothing until it has a role. Scrapers need Profile Writer; agents that also upload debug info need Writer.'),
    bindRoleForm(orgId, `serviceaccount:${account.name}`, roles, ctx.projects,
      async () => { close(); if (after) await after(); }, { onSkip: close })));
}

/** "system:owner", "system:profile-writer in default", ...; "no role" for none. */
function rolesText(ctx, a) {
  const roles = a.roles || [];
  if (!roles.length) return 'no role';
  return roles.map((r) => {
    if (!r.projectId) return r.role;
    const p = ctx.projects.find((x) => x.id === r.projectId);
    return `${r.role} in ${p ? p.name : r.projectId}`;
  }).join(', ');
}

/**
 * Pick (or create) a service account, name the token, create it, show it once. Nothing is
 * preselected but a new account (or `preselect`): an existing account may be an owner. A new
 * account gets its role before the token is shown.
 */
export async function createTokenDialog(ctx, orgId, after, preselect) {
  const base = `/v1/organizations/${orgId}/serviceaccounts`;
  const [accounts, roles] = await Promise.all([
    api.get(base).then((r) => r.serviceAccounts || []), loadRoles(orgId)]);
  const NEW = '__new__';
  const account = field('Service account', select([
    { value: NEW, label: 'New service account...' },
    ...accounts.map((a) => ({
      value: a.id,
      label: `${a.name} (${a.roles ? rolesText(ctx, a) : 'roles not shown'})${a.disabled ? ' - disabled' : ''}`,
    })),
  ], preselect || NEW));
  const warning = h('p', { class: 'warning', role: 'status', hidden: true });
  const newName = field('New service account name', h('input', { type: 'text', autocomplete: 'off', placeholder: 'production-scraper' }),
    SERVICE_ACCOUNT_NAME_HINT);
  const role = field('Role of the new account', roleSelect(roles, 'system:profile-writer'),
    'Granted before the token is shown: in the project chosen below, or organization-wide.');
  const tokenName = field('Token name', h('input', { type: 'text', required: true, autocomplete: 'off', placeholder: 'prod-cluster-1' }));
  const project = field('Project', projectSelect(ctx.projects, '', 'Any project the account is bound to'),
    'Optional: tie the token to one project.');
  const expires = expiryField();
  const selected = () => accounts.find((a) => a.id === account.input.value);
  const sync = () => {
    const isNew = account.input.value === NEW;
    newName.row.hidden = !isNew;
    newName.input.required = isNew;
    role.row.hidden = !isNew;
    const a = selected();
    let text = '';
    if (a && a.roles && !a.roles.length) text = `${a.name} has no role: a token for it can do nothing until the account is granted one.`;
    else if (a && (a.roles || []).some((r) => r.role === 'system:owner')) text = `${a.name} is an owner: a token for it can do everything in this organization. Prefer an account with only the role the client needs.`;
    warning.textContent = text;
    warning.hidden = !text;
  };
  account.input.addEventListener('change', sync);
  sync();

  let boundAccount = null; // a new account created by this dialog, whose binding is still to be made
  formDialog('Create API Token', [account, { row: warning }, newName, role, tokenName, project, expires], 'Create token', async (close) => {
    let sa = selected();
    if (!sa) {
      sa = (await api.post(base, { name: newName.input.value.trim() })).serviceAccount;
      sa.roles = [];
      accounts.push(sa);
      boundAccount = sa;
      // If a later step fails now, the account exists: select it for the retry.
      account.input.append(h('option', { value: sa.id }, sa.name));
      account.input.value = sa.id;
      sync();
    }
    if (boundAccount === sa) {
      const b = (await api.post(`/v1/organizations/${orgId}/rolebindings`, {
        subject: `serviceaccount:${sa.name}`, role: role.input.value, projectId: project.input.value || undefined,
      })).roleBinding;
      sa.roles.push({ role: b.role, projectId: b.projectId });
      boundAccount = null;
    }
    const r = await api.post(`${base}/${sa.id}/tokens`, {
      name: tokenName.input.value.trim(),
      projectId: project.input.value || undefined,
      expiresAt: expires.value(),
    });
    close();
    if (after) await after();
    await showToken(ctx, orgId, sa, r.token, sa.roles && !sa.roles.length ? 'bind' : null, project.input.value);
  });
}

/** The created token, once; for a new account, the role-binding step below it. */
export async function showToken(ctx, orgId, sa, token, step, projectId) {
  const roles = step === 'bind' ? await loadRoles(orgId) : null;
  openDialog(`Token "${token.name}" for ${sa.name}`, (close) => {
    // One primary button: the grant step's, when there is one.
    const done = h('button', { type: 'button', class: roles ? '' : 'primary', onclick: close }, 'Done');
    const bindArea = h('div', { class: 'bind-step' });
    if (roles) {
      bindArea.append(
        h('h3', {}, 'Next: grant the new account a role'),
        bindRoleForm(orgId, `serviceaccount:${sa.name}`, roles, ctx.projects, (b) => {
          bindArea.replaceChildren(h('p', { class: 'ok', role: 'status' }, `Granted ${b.role}${b.projectId ? ' in the chosen project' : ' organization-wide'}.`));
        }, { projectId, onSkip: () => bindArea.replaceChildren() }));
    }
    return h('div', {}, tokenReveal(token.token), bindArea, h('div', { class: 'actions' }, done));
  });
}
