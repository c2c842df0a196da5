// Identity & Access -> Invites: invite people with a role (optionally in one project), see who
// accepted, expire an invite early. The link is shown once, when the invite is created.
import { api, can } from '../api.js';
import { h, field, table, time, errorBox, formDialog, confirmDialog, copyField, badge } from '../dom.js';
import { loadRoles, roleSelect, projectSelect, projectName, isoOrUndefined } from '../components.js';

export async function render(ctx, orgId) {
  const { main } = ctx;
  const base = `/v1/organizations/${orgId}/invites`;
  const [canCreate, canExpire] = await Promise.all([can(orgId, 'invite.create'), can(orgId, 'invite.expire')]);
  const notice = errorBox();
  const revealEl = h('div');
  const listEl = h('div');
  main.append(
    h('div', { class: 'page-head' },
      h('h1', {}, 'Invites'),
      canCreate ? h('button', { type: 'button', class: 'primary', onclick: create }, 'Invite someone') : null),
    notice.el, revealEl, listEl);

  function status(i) {
    if (i.expiredAt) return badge('expired early', 'warn');
    if (new Date(i.expiresAt) <= new Date()) return badge('expired', 'warn');
    return badge('open', 'ok');
  }

  async function load() {
    const invites = (await api.get(base)).invites || [];
    listEl.replaceChildren(table([
      { label: 'Role', cell: (i) => h('code', {}, i.role) },
      { label: 'Project', cell: (i) => projectName(ctx.projects, i.projectId) },
      { label: 'For', cell: (i) => i.email || 'anyone with the link' },
      { label: 'Created', cell: (i) => [time(i.createdAt), ' by ', i.createdBy || ''] },
      { label: 'Expires', cell: (i) => time(i.expiresAt) },
      { label: 'Status', cell: status },
      { label: 'Accepted', cell: (i) => String(i.acceptanceCount || 0) },
      {
        label: 'Actions',
        cell: (i) => (canExpire && !i.expiredAt && new Date(i.expiresAt) > new Date()
          ? h('button', { type: 'button', class: 'small danger', onclick: () => expire(i) }, 'Expire now')
          : ''),
      },
    ], invites, 'No invites yet.', 'Invites'));
  }

  async function expire(i) {
    if (!await confirmDialog('Expire this invite?', 'Its link stops working at once; people who already accepted stay members.', 'Expire')) return;
    notice.hide();
    try {
      await api.post(`${base}/${i.id}/expire`);
      await load();
    } catch (e) { notice.show(e); }
  }

  async function create() {
    const roles = await loadRoles(orgId);
    const role = field('Role', roleSelect(roles, 'system:viewer'));
    const project = field('Project', projectSelect(ctx.projects, ''), 'Optional: limit the role to one project.');
    const expires = field('Expires', h('input', { type: 'datetime-local' }), 'Optional; default 7 days.');
    const email = field('For email', h('input', { type: 'email', autocomplete: 'off' }),
      'Optional: only this address can accept the invite.');
    formDialog('Invite someone', [role, project, expires, email], 'Create invite', async (close) => {
      const r = await api.post(base, {
        role: role.input.value,
        projectId: project.input.value || undefined,
        expiresAt: isoOrUndefined(expires.input.value),
        email: email.input.value.trim() || undefined,
      });
      close();
      const link = `${location.origin}/#/invite/${r.invite.token}`;
      revealEl.replaceChildren(h('div', { class: 'card' },
        h('h3', {}, 'Invite link'),
        h('p', { class: 'warning' }, h('strong', {}, 'Send this link now. '), r.invite.email
          ? `It will not be shown again; only ${r.invite.email} can join with it, until it expires.`
          : 'It will not be shown again; anyone with it can join with this role until it expires.'),
        copyField('Invite link', link, { secret: true }),
        h('button', { type: 'button', onclick: () => revealEl.replaceChildren() }, 'Done')));
      await load();
    });
  }

  await load();
}
