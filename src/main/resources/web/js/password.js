// Passwords in the console: the user changes their own; an owner's reset of a member is shown once.
import { api } from './api.js';
import { h, field, formDialog, openDialog, copyField } from './dom.js';

/** "Change password": current, new (twice); the server ends the user's other sessions. */
export function changePasswordDialog() {
  const current = field('Current password', h('input', { type: 'password', required: true, autocomplete: 'current-password' }));
  const next = field('New password', h('input', { type: 'password', required: true, minlength: '8', maxlength: '1024', autocomplete: 'new-password' }),
    '8 to 1024 characters.');
  const again = field('New password again', h('input', { type: 'password', required: true, autocomplete: 'new-password' }));
  formDialog('Change password', [current, next, again], 'Change password', async (close) => {
    if (next.input.value !== again.input.value) throw new Error('The two new passwords differ.');
    await api.post('/v1/auth/password', { currentPassword: current.input.value, newPassword: next.input.value });
    close();
    openDialog('Password changed', (done) => h('div', {},
      h('p', { role: 'status' }, 'Your password is changed. Your other sessions were logged out.'),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', onclick: done }, 'Done'))));
  });
}

/** The member's new password, shown once. */
export function revealResetPassword(email, password, sessionsEnded) {
  openDialog(`New password for ${email}`, (done) => h('div', {},
    h('p', { class: 'warning', role: 'alert' },
      h('strong', {}, 'Copy this password now. '),
      `It will not be shown again. Give it to ${email} over a safe channel; they can change it after logging in.`
        + (sessionsEnded ? ` ${sessionsEnded} open session${sessionsEnded === 1 ? ' was' : 's were'} logged out.` : '')),
    copyField('New password', password, { secret: true }),
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', onclick: done }, 'Done'))));
}
