// The page an invite link opens (no login needed): choose a password and join, or join with an
// existing account's password.
import { api } from '../api.js';
import { h, field, errorBox } from '../dom.js';

export async function render({ main, onLoggedIn }, code) {
  let invite;
  try {
    invite = (await api.get(`/v1/invites/${encodeURIComponent(code)}`)).invite;
  } catch (e) {
    main.append(h('div', { class: 'center' }, h('div', { class: 'card login' },
      h('h1', {}, 'Invite not valid'),
      h('p', {}, 'This invite link is unknown, expired or was withdrawn. Ask the person who invited you for a new one.'))));
    return;
  }
  const email = field('Email', h('input', { type: 'email', autocomplete: 'username', required: true,
    value: invite.email || '', readOnly: Boolean(invite.email) }),
    invite.email ? 'This invite is for this address only.' : undefined);
  const password = field('Password', h('input', { type: 'password', autocomplete: 'new-password', required: true, minLength: 8 }),
    'At least 8 characters. If you already have an account, use its password.');
  const err = errorBox();
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Join');
  const form = h('form', { class: 'card login' },
    h('h1', {}, 'Join ', invite.organizationName),
    h('p', {}, 'You are invited with the role ', h('code', {}, invite.role),
      invite.projectId ? ' in one project.' : ' in the whole organization.'),
    email.row, password.row, err.el,
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.hide();
    submit.disabled = true;
    try {
      const credentials = { email: email.input.value.trim(), password: password.input.value };
      await api.post(`/v1/invites/${encodeURIComponent(code)}/accept`, credentials);
      const r = await api.post('/v1/auth/login', credentials);
      await onLoggedIn(r);
    } catch (ex) {
      err.show(ex);
    } finally {
      submit.disabled = false;
    }
  });
  main.append(h('div', { class: 'center' }, form));
  email.input.focus();
}
