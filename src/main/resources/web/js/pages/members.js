// Identity & Access -> Members: users of the organization with their roles; add and remove.
import { api, can } from '../api.js';
import { h, field, table, time, errorBox, formDialog, confirmDialog, copyField } from '../dom.js';
import { loadRoles, roleSelect, projectSelect, projectName } from '../components.js';
import { revealResetPassword } from '../password.js';

export async function render(ctx, orgId) {
  const { main } = ctx;
  const base = `/v1/organizations/${orgId}/users`;
  const [canAdd, canRemove] = await Promise.all([can(orgId, 'rolebinding.create'), can(orgId, 'rolebinding.delete')]);
  const notice = errorBox();
  const revealEl = h('div');
  const listEl = h('div');
  main.append(
    h('div', { class: 'page-head' },
      h('h1', {}, 'Members'),
      canAdd ? h('button', { type: 'button', class: 'primary', onclick: add }, 'Add Member') : null),
    notice.el, revealEl, listEl);

  async function load() {
    const users = (await api.get(base)).users || [];
    listEl.replaceChildren(table([
      { label: 'Email', cell: (u) => u.email },
      {
        label: 'Roles',
        cell: (u) => h('ul', { class: 'plain' }, (u.roleBindings || []).map((b) => h('li', {},
          h('code', { class: 'role' }, b.role), ' ', h('span', { class: 'muted' }, 'in '), projectName(ctx.projects, b.projectId)))),
      },
      { label: 'Since', cell: (u) => time(u.createdAt) },
      {
        label: 'Actions',
        cell: (u) => (u.id !== (ctx.me.user && ctx.me.user.id)
          ? h('span', { class: 'row-actions' },
            canAdd ? h('button', { type: 'button', class: 'small', 'aria-label': `Reset the password of ${u.email}`, onclick: () => reset(u) }, 'Reset password') : null,
            canRemove ? h('button', { type: 'button', class: 'small danger', 'aria-label': `Remove ${u.email}`, onclick: () => remove(u) }, 'Remove') : null)
          : ''),
      },
    ], users, 'No members.', 'Members'));
  }

  async function remove(u) {
    if (!await confirmDialog(`Remove ${u.email}?`, 'Their role bindings in this organization are deleted.', 'Remove')) return;
    notice.hide();
    try {
      await api.del(`${base}/${u.id}`);
      await load();
    } catch (e) { notice.show(e); }
  }

  async function reset(u) {
    if (!await confirmDialog(`Reset the password of ${u.email}?`,
      'They get a new random password, shown to you once, and are logged out everywhere.', 'Reset password')) return;
    notice.hide();
    try {
      const r = await api.post(`${base}/${u.id}/password/reset`, {});
      revealResetPassword(u.email, r.password, r.sessionsEnded);
    } catch (e) { notice.show(e); }
  }

  async function add() {
    const roles = await loadRoles(orgId);
    const email = field('Email', h('input', { type: 'email', required: true, autocomplete: 'off' }));
    const password = field('Initial password', h('input', { type: 'password', autocomplete: 'new-password' }),
      'Optional: creates the account at once if this email has none. Someone with an account joins through the invite link.');
    const role = field('Role', roleSelect(roles, 'system:viewer'));
    const project = field('Project', projectSelect(ctx.projects, ''), 'Optional: limit the role to one project.');
    formDialog('Add Member', [email, password, role, project], 'Add', async (close) => {
      const r = await api.post(base, {
        email: email.input.value.trim(),
        password: password.input.value || undefined,
        role: role.input.value,
        projectId: project.input.value || undefined,
      });
      close();
      // The server answers alike whether the email has an account, so the link is always shown.
      const link = `${location.origin}/#/invite/${r.invite.token}`;
      revealEl.replaceChildren(h('div', { class: 'card' },
        h('h3', {}, `Invite link for ${r.email}`),
        h('p', { class: 'warning' }, h('strong', {}, 'Send this link to them now. '),
          'It will not be shown again. If they already have an account, they become a member when they accept it.'),
        copyField('Invite link', link, { secret: true }),
        h('button', { type: 'button', onclick: () => revealEl.replaceChildren() }, 'Done')));
      await load();
    });
  }

  await load();
}
