// The label-matcher box of the explorer: text like job="web", node=~"a.*" with a suggestion list
// of label names (from Labels) where a name is being typed and of values (from Values) inside a
// quoted value. A combobox: arrows move, Enter or Tab picks, Escape closes.
import { h, uid } from './dom.js';

const MAX_SUGGESTIONS = 50;

/** Where the caret is: {kind: 'name'|'value', prefix, start, label?}, from the text before it. */
export function caretContext(before) {
  let inQuote = false;
  let quoteAt = -1;
  for (let i = 0; i < before.length; i += 1) {
    const c = before[i];
    if (inQuote && c === '\\') { i += 1; continue; }
    if (c === '"') { inQuote = !inQuote; quoteAt = i; }
  }
  if (inQuote) {
    const m = /([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*$/.exec(before.slice(0, quoteAt));
    return m ? { kind: 'value', label: m[1], prefix: before.slice(quoteAt + 1), start: quoteAt + 1 } : null;
  }
  const op = /([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*$/.exec(before);
  if (op) return { kind: 'value', label: op[1], prefix: '', start: before.length, needsQuote: true };
  const name = /(^|[,{\s])([A-Za-z_][A-Za-z0-9_]*)?$/.exec(before);
  if (name) {
    const prefix = name[2] || '';
    return { kind: 'name', prefix, start: before.length - prefix.length };
  }
  return null;
}

/** {el, input, value(), forget()}; labels() and values(name) load suggestions (cached). */
export function matcherInput({ labels, values }) {
  const listId = uid('suggest');
  const input = h('input', {
    type: 'text', id: uid('in'), class: 'mono', spellcheck: 'false', autocomplete: 'off',
    placeholder: 'job="web", node=~"node-.*"', role: 'combobox', 'aria-autocomplete': 'list',
    'aria-expanded': 'false', 'aria-controls': listId,
  });
  const list = h('ul', { id: listId, class: 'suggest', role: 'listbox', hidden: true });
  const el = h('div', { class: 'matcher-box' }, input, list);
  let names = null;
  const valueCache = new Map();
  let options = [];
  let active = -1;
  let context = null;
  let seq = 0;

  function close() {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    options = [];
    active = -1;
  }

  function setActive(i) {
    active = i;
    [...list.children].forEach((li, k) => li.setAttribute('aria-selected', String(k === i)));
    if (i >= 0 && list.children[i]) {
      input.setAttribute('aria-activedescendant', list.children[i].id);
      list.children[i].scrollIntoView({ block: 'nearest' });
    }
  }

  function pick(i) {
    const choice = options[i];
    if (!choice || !context) return;
    const text = input.value;
    const caret = input.selectionStart ?? text.length;
    let insert;
    let after = text.slice(caret);
    if (context.kind === 'name') {
      insert = `${choice}=`;
      after = after.replace(/^[A-Za-z0-9_]*/, '');
    } else {
      const escaped = choice.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
      insert = context.needsQuote ? `"${escaped}"` : `${escaped}"`;
      if (!context.needsQuote) after = after.replace(/^[^"]*"?/, '');
    }
    const head = text.slice(0, context.start) + insert;
    input.value = head + after;
    input.setSelectionRange(head.length, head.length);
    close();
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.focus();
  }

  async function suggest() {
    const mine = ++seq;
    const caret = input.selectionStart ?? input.value.length;
    context = caretContext(input.value.slice(0, caret));
    if (!context) { close(); return; }
    let all;
    try {
      if (context.kind === 'name') {
        if (!names) names = labels();
        all = await names;
      } else {
        if (!valueCache.has(context.label)) valueCache.set(context.label, values(context.label));
        all = await valueCache.get(context.label);
      }
    } catch {
      names = null;
      valueCache.clear();
      close();
      return;
    }
    if (mine !== seq) return;
    const p = context.prefix.toLowerCase();
    options = all.filter((x) => x.toLowerCase().startsWith(p) && x !== context.prefix).slice(0, MAX_SUGGESTIONS);
    if (!options.length) { close(); return; }
    list.replaceChildren(...options.map((o, i) => {
      const li = h('li', { role: 'option', id: `${listId}-${i}`, 'aria-selected': 'false' }, o);
      li.addEventListener('mousedown', (e) => { e.preventDefault(); pick(i); });
      return li;
    }));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    setActive(-1);
  }

  input.addEventListener('input', suggest);
  input.addEventListener('focus', suggest);
  input.addEventListener('click', suggest);
  input.addEventListener('blur', () => setTimeout(close, 100));
  input.addEventListener('keydown', (e) => {
    if (list.hidden) return;
    if (e.key === 'ArrowDown') { e.preventDefault(); setActive(Math.min(options.length - 1, active + 1)); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); setActive(Math.max(0, active - 1)); }
    else if ((e.key === 'Enter' || e.key === 'Tab') && active >= 0) { e.preventDefault(); pick(active); }
    else if (e.key === 'Escape') { e.preventDefault(); close(); }
  });

  return {
    el,
    input,
    value: () => input.value.trim().replace(/^\{|\}$/g, '').trim(),
    forget: () => { names = null; valueCache.clear(); },
  };
}
