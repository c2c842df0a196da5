import { api } from '../api.js';
import { h, field, errorBox } from '../dom.js';

export function render({ main, onLoggedIn }) {
  const email = field('Email', h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true }));
  const password = field('Password', h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true }));
  const err = errorBox();
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Log in');
  const form = h('form', { class: 'card login' },
    h('h1', {}, 'Log in to Tollgate'),
    email.row, password.row, err.el,
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.hide();
    submit.disabled = true;
    try {
      const r = await api.post('/v1/auth/login', { email: email.input.value.trim(), password: password.input.value });
      await onLoggedIn(r);
    } catch (ex) {
      err.show(ex);
      password.input.select();
    } finally {
      submit.disabled = false;
    }
  });
  main.append(h('div', { class: 'center' }, form));
  email.input.focus();
}
