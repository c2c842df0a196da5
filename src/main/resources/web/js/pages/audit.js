// Identity & Access -> Audit log: newest first, paged with nextCursor, filtered by action prefix,
// actor and time; ids in targets and details are shown with their current names.
import { api, qs } from '../api.js';
import { h, field, table, time, errorBox } from '../dom.js';
import { isoOrUndefined } from '../components.js';

export async function render(ctx, orgId) {
  const { main } = ctx;
  const notice = errorBox();
  const action = field('Action starts with', h('input', { type: 'search', autocomplete: 'off', placeholder: 'serviceaccount.' }));
  const actor = field('Actor contains', h('input', { type: 'search', autocomplete: 'off', placeholder: 'admin@localhost' }));
  const since = field('From', h('input', { type: 'datetime-local' }));
  const until = field('Until', h('input', { type: 'datetime-local' }));
  const apply = h('button', { type: 'submit' }, 'Filter');
  const form = h('form', { class: 'filters', role: 'search' }, action.row, actor.row, since.row, until.row,
    h('div', { class: 'field' }, apply));
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
      const r = await api.get(`/v1/organizations/${orgId}/audit${qs({
        limit: 50, cursor, action: action.input.value.trim(), actor: actor.input.value.trim(),
        since: isoOrUndefined(since.input.value), until: isoOrUndefined(until.input.value),
      })}`);
      entries = entries.concat(r.entries || []);
      cursor = r.nextCursor || null;
      more.hidden = !cursor;
      listEl.replaceChildren(table([
        { label: 'When', cell: (e) => time(e.at) },
        { label: 'Actor', cell: (e) => e.actor || '' },
        { label: 'Action', cell: (e) => h('code', {}, e.action) },
        { label: 'Target', cell: (e) => withNames(e.target, e.names) },
        { label: 'Client IP', cell: (e) => e.clientIp || '' },
        { label: 'Detail', cell: (e) => withNames(e.detail, e.names) },
      ], entries, 'No entries.', 'Audit entries'));
    } catch (e) { notice.show(e); }
  }

  /** The text with each known id followed by its current name, e.g. "project 6fbb... (payments)". */
  function withNames(text, names) {
    if (!text) return '';
    const parts = [];
    let last = 0;
    for (const m of text.matchAll(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g)) {
      const name = names && names[m[0]];
      if (!name) continue;
      parts.push(text.slice(last, m.index + m[0].length), ' ', h('span', { class: 'name' }, `(${name})`));
      last = m.index + m[0].length;
    }
    parts.push(text.slice(last));
    return h('span', {}, ...parts);
  }

  form.addEventListener('submit', (e) => { e.preventDefault(); load(true); });
  more.addEventListener('click', () => load(false));
  await load(true);
}
