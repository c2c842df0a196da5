// Identity & Access -> Audit log: newest first, paged with nextCursor, filtered by action prefix.
import { api, qs } from '../api.js';
import { h, field, table, time, errorBox } from '../dom.js';

export async function render(ctx, orgId) {
  const { main } = ctx;
  const notice = errorBox();
  const action = field('Action starts with', h('input', { type: 'search', autocomplete: 'off', placeholder: 'serviceaccount.' }));
  const apply = h('button', { type: 'submit' }, 'Filter');
  const form = h('form', { class: 'filters', role: 'search' }, action.row, h('div', { class: 'field' }, apply));
  const listEl = h('div');
  const more = h('button', { type: 'button', hidden: true }, 'Load older entries');
  let entries = [];
  let cursor = null;
  main.append(h('h1', {}, 'Audit log'),
    h('p', { class: 'lead' }, 'Every change to identities, roles, bindings, tokens and settings.'),
    form, notice.el, listEl, h('div', { class: 'actions left' }, more));

  async function load(reset) {
    notice.hide();
    if (reset) { entries = []; cursor = null; }
    try {
      const r = await api.get(`/v1/organizations/${orgId}/audit${qs({ limit: 50, cursor, action: action.input.value.trim() })}`);
      entries = entries.concat(r.entries || []);
      cursor = r.nextCursor || null;
      more.hidden = !cursor;
      listEl.replaceChildren(table([
        { label: 'When', cell: (e) => time(e.at) },
        { label: 'Actor', cell: (e) => e.actor || '' },
        { label: 'Action', cell: (e) => h('code', {}, e.action) },
        { label: 'Target', cell: (e) => e.target || '' },
        { label: 'Client IP', cell: (e) => e.clientIp || '' },
        { label: 'Detail', cell: (e) => e.detail || '' },
      ], entries, 'No entries.', 'Audit entries'));
    } catch (e) { notice.show(e); }
  }

  form.addEventListener('submit', (e) => { e.preventDefault(); load(true); });
  more.addEventListener('click', () => load(false));
  await load(true);
}
