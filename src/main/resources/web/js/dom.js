// DOM helpers. Everything user-named goes in through textContent or attributes, never innerHTML.

/**
 * h('button', {class: 'primary', onclick: fn}, 'Save') - strings become text nodes, arrays are
 * flattened, null/false children are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' || k === 'checked' || k === 'disabled' || k === 'readOnly') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

let idSeq = 0;
export function uid(prefix = 'f') {
  idSeq += 1;
  return `${prefix}-${idSeq}`;
}

/** A labelled form field; returns {row, input}. */
export function field(label, input, hint) {
  input.id = input.id || uid('in');
  const row = h('div', { class: 'field' },
    h('label', { for: input.id }, label),
    input,
    hint ? h('p', { class: 'hint' }, hint) : null);
  return { row, input };
}

export function select(options, value) {
  const s = h('select');
  for (const o of options) {
    const opt = h('option', { value: o.value }, o.label);
    if (o.value === value) opt.selected = true;
    s.appendChild(opt);
  }
  return s;
}

/** Local, readable time ("2025-01-02 15:04:05"), with the RFC 3339 value as a tooltip. */
export function time(iso, empty = 'never') {
  if (!iso) return h('span', { class: 'muted' }, empty);
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  // Date and time each stay whole: a narrow column breaks between them, not at a date's hyphens.
  return h('time', { datetime: iso, title: iso },
    h('span', { class: 'nowrap' }, `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`), ' ',
    h('span', { class: 'nowrap' }, `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`));
}

export function bytes(n) {
  if (!n) return '0 B';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

/** A table (in a sideways-scrolling wrapper): columns [{label, cell: row => node|string}]; an empty message when no rows. */
export function table(columns, rows, emptyText, caption) {
  if (!rows.length) return h('p', { class: 'empty' }, emptyText);
  return h('div', { class: 'table-wrap' }, h('table', {},
    caption ? h('caption', { class: 'sr-only' }, caption) : null,
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c.label)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, columns.map((c) => h('td', {}, c.cell(r))))))));
}

/** Short values (labels, profile types) as a list that wraps between items, never inside one. */
export function chips(values, itemClass) {
  return h('ul', { class: 'chips' }, values.map((v) => h('li', {}, itemClass ? h('code', { class: itemClass }, v) : v)));
}

/** An error line for a form or section. */
export function errorBox() {
  const el = h('p', { class: 'error', role: 'alert', hidden: true });
  return {
    el,
    show(err) { el.textContent = err && err.message ? err.message : String(err); el.hidden = false; },
    hide() { el.textContent = ''; el.hidden = true; },
  };
}

/**
 * A modal dialog (native <dialog>: focus moves inside, Escape closes). build(close) returns the
 * body; the first input or button gets focus.
 */
export function openDialog(title, build) {
  const titleId = uid('dlg');
  const dlg = h('dialog', { 'aria-labelledby': titleId });
  const close = () => { dlg.close(); };
  dlg.addEventListener('close', () => dlg.remove());
  dlg.appendChild(h('h2', { id: titleId }, title));
  dlg.appendChild(build(close));
  document.body.appendChild(dlg);
  dlg.showModal();
  const first = dlg.querySelector('input:not([type=hidden]):not([readonly]), select, textarea, button.primary, button');
  if (first) first.focus();
  return { dialog: dlg, close };
}

/** Asks to confirm something destructive; resolves true when confirmed. */
export function confirmDialog(title, message, confirmLabel = 'Delete') {
  return new Promise((resolve) => {
    let answered = false;
    const { dialog } = openDialog(title, (close) => h('div', {},
      h('p', {}, message),
      h('div', { class: 'actions' },
        h('button', { type: 'button', onclick: () => { close(); } }, 'Cancel'),
        h('button', { type: 'button', class: 'danger', onclick: () => { answered = true; close(); } }, confirmLabel))));
    dialog.addEventListener('close', () => resolve(answered));
  });
}

/** A form inside a dialog: fields, submit label, onSubmit(values) -> awaits; errors shown inline. */
export function formDialog(title, fields, submitLabel, onSubmit) {
  return openDialog(title, (close) => {
    const err = errorBox();
    const submit = h('button', { type: 'submit', class: 'primary' }, submitLabel);
    const form = h('form', {},
      fields.map((f) => f.row),
      err.el,
      h('div', { class: 'actions' },
        h('button', { type: 'button', onclick: close }, 'Cancel'),
        submit));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      err.hide();
      submit.disabled = true;
      try {
        await onSubmit(close);
      } catch (ex) {
        err.show(ex);
      } finally {
        submit.disabled = false;
      }
    });
    return form;
  });
}

/** Copies text; falls back to selecting it in `selectable` when the clipboard is unavailable. */
export async function copyText(text, selectable, statusEl) {
  try {
    await navigator.clipboard.writeText(text);
    if (statusEl) statusEl.textContent = 'Copied to the clipboard.';
  } catch {
    if (selectable) {
      selectable.focus();
      if (selectable.select) selectable.select();
      else {
        const range = document.createRange();
        range.selectNodeContents(selectable);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
      }
    }
    if (statusEl) statusEl.textContent = 'Selected - press Ctrl+C (or Cmd+C) to copy.';
  }
}

/** A read-only value with a Copy button (project id, token, snippets). */
export function copyField(label, value, opts = {}) {
  const id = uid('copy');
  const box = opts.multiline
    ? h('textarea', { id, readOnly: true, class: 'mono', rows: String(opts.rows || Math.min(24, value.split('\n').length + 1)), spellcheck: 'false' })
    : h('input', { id, type: 'text', readOnly: true, class: 'mono', spellcheck: 'false' });
  box.value = value;
  const status = h('span', { class: 'copy-status', role: 'status' });
  box.addEventListener('click', () => copyText(value, box, status));
  return h('div', { class: 'copy-field' + (opts.secret ? ' secret' : '') },
    h('label', { for: id }, label),
    h('div', { class: 'copy-row' }, box,
      h('button', { type: 'button', onclick: () => copyText(value, box, status), 'aria-label': `Copy ${label}` }, 'Copy')),
    status);
}

export function badge(text, kind = '') {
  return h('span', { class: `badge ${kind}` }, text);
}
