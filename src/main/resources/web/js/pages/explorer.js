// The profile explorer of a project: profile type, label matchers (autocompleted from Labels and
// Values), time range, samples over time (QueryRange), and for the picked point or range the
// merged flame graph, the top table and the pprof download (Query), all through Parca's
// QueryService as unframed JSON.
import { api } from '../api.js';
import { h, errorBox, time } from '../dom.js';
import { queryClient } from '../queryApi.js';
import { chart } from '../chart.js';
import { flamegraph } from '../flamegraph.js';
import { formatValue, percent, ago } from '../units.js';
import { matcherInput } from '../matchers.js';

const RANGES = [
  { value: '15m', label: 'Last 15 minutes', ms: 15 * 60e3 },
  { value: '1h', label: 'Last hour', ms: 3600e3 },
  { value: '24h', label: 'Last 24 hours', ms: 86400e3 },
  { value: 'custom', label: 'Custom range' },
];
const TOP_ROWS = 200;

/** Parca's profile type id, as ingestion indexes it and selectors name it. */
export function typeId(t) {
  return `${t.name}:${t.sampleType}:${t.sampleUnit}:${t.periodType}:${t.periodUnit}${t.delta ? ':delta' : ''}`;
}

const quote = (v) => `"${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const labelsOf = (series) => ((series.labelset && series.labelset.labels) || []);
const labelText = (labels) => labels.map((l) => `${l.name}=${quote(l.value)}`).join(', ');

function stamp(t) {
  return new Date(t).toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
}

function localInput(t) {
  const d = new Date(t - new Date(t).getTimezoneOffset() * 60e3);
  return d.toISOString().slice(0, 16);
}

function base64Bytes(b64) {
  const bin = atob(b64 || '');
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i += 1) out[i] = bin.charCodeAt(i);
  return out;
}

export async function render(ctx, projectId) {
  const { main } = ctx;
  // Someone who may write but not read profiles may not see the project either: the query
  // calls below then say what is missing.
  let project = { name: projectId };
  try { project = (await api.get(`/v1/projects/${projectId}`)).project; } catch (e) { if (e.status !== 403 && e.status !== 404) throw e; }
  const q = queryClient(projectId);

  const typeSelect = h('select', { id: 'explore-type' });
  const rangeSelect = h('select', { id: 'explore-range' }, RANGES.map((r) => h('option', { value: r.value }, r.label)));
  rangeSelect.value = '1h';
  const fromInput = h('input', { type: 'datetime-local', id: 'explore-from' });
  const toInput = h('input', { type: 'datetime-local', id: 'explore-to' });
  const custom = h('div', { class: 'explore-custom', hidden: true },
    h('div', { class: 'field' }, h('label', { for: 'explore-from' }, 'From'), fromInput),
    h('div', { class: 'field' }, h('label', { for: 'explore-to' }, 'To'), toInput));
  const matchers = matcherInput({
    labels: async () => {
      const r = currentRange();
      return (await q.labels(typeSelect.value ? [`${typeSelect.value}{}`] : [], r.from, r.to)).labelNames || [];
    },
    values: async (name) => {
      const r = currentRange();
      return (await q.values(name, typeSelect.value ? [`${typeSelect.value}{}`] : [], r.from, r.to)).labelValues || [];
    },
  });
  const perSecond = h('input', { type: 'checkbox', id: 'explore-per-second' });
  const perSecondRow = h('div', { class: 'field check', hidden: true }, perSecond,
    h('label', { for: 'explore-per-second' }, 'Per second'));
  const run = h('button', { type: 'submit', class: 'primary' }, 'Show');
  const notice = errorBox();
  const form = h('form', { class: 'explore-form', 'aria-label': 'Profile query' },
    h('div', { class: 'field' }, h('label', { for: 'explore-type' }, 'Profile type'), typeSelect),
    h('div', { class: 'field grow' }, h('label', { for: matchers.input.id }, 'Label matchers'), matchers.el),
    h('div', { class: 'field' }, h('label', { for: 'explore-range' }, 'Time range'), rangeSelect),
    custom,
    perSecondRow,
    h('div', { class: 'field' }, run));
  const selectorText = h('code', { class: 'explore-selector' });
  const chartBox = h('section', { class: 'explore-chart', 'aria-label': 'Samples over time' });
  const selectionBox = h('section', { class: 'explore-selection', 'aria-label': 'Selected profile' });

  main.append(
    h('p', { class: 'crumbs' }, h('a', { href: `#/projects/${projectId}` }, project.name), ' / Explore'),
    h('div', { class: 'page-head' }, h('h1', {}, 'Explore profiles')),
    form,
    h('p', { class: 'hint' }, 'Selector: ', selectorText,
      '. Click a point for that profile, drag over the chart to merge a range.'),
    notice.el,
    chartBox,
    selectionBox);

  let generation = 0; // answers of superseded requests are dropped
  let lastRange = null;
  let disposeFlame = null;
  ctx.onLeave(() => { generation += 1; if (disposeFlame) disposeFlame(); });

  function currentRange() {
    if (rangeSelect.value === 'custom') {
      const from = fromInput.value ? new Date(fromInput.value).getTime() : Date.now() - 3600e3;
      const to = toInput.value ? new Date(toInput.value).getTime() : Date.now();
      return { from, to };
    }
    const r = RANGES.find((x) => x.value === rangeSelect.value);
    const to = Date.now();
    return { from: to - r.ms, to };
  }

  const selector = () => `${typeSelect.value}{${matchers.value()}}`;
  const updateSelector = () => { selectorText.textContent = typeSelect.value ? selector() : 'pick a profile type'; };
  matchers.input.addEventListener('input', updateSelector);

  rangeSelect.addEventListener('change', () => {
    custom.hidden = rangeSelect.value !== 'custom';
    if (!custom.hidden && !fromInput.value) {
      const now = Date.now();
      fromInput.value = localInput(now - 3600e3);
      toInput.value = localInput(now);
    }
    if (custom.hidden) loadTypes();
  });
  typeSelect.addEventListener('change', () => { matchers.forget(); updateSelector(); show(); });
  perSecond.addEventListener('change', () => show());
  form.addEventListener('submit', (e) => { e.preventDefault(); loadTypes(); });

  /** What the series summary says about the newest profile (of `type` when given). */
  async function lastReceived(type) {
    try {
      const series = (await api.get(`/v1/projects/${projectId}/series`)).series || [];
      let last = null;
      for (const s of series) {
        if (type && !(s.profileTypes || []).includes(type)) continue;
        if (s.lastSeen && (!last || s.lastSeen > last)) last = s.lastSeen;
      }
      return last;
    } catch {
      return null;
    }
  }

  function failure(e) {
    if (e.status === 403) {
      return h('div', { class: 'empty-state', role: 'alert' },
        h('p', {}, h('strong', {}, 'You cannot read profiles in this project.')),
        h('p', {}, 'Exploring needs the ', h('code', {}, 'profile.read'),
          ' permission in this project. Ask an owner of the organization for a role that has it (the Viewer role does).'),
        h('p', { class: 'muted small' }, e.message));
    }
    if (e.status === 501) {
      return h('p', { class: 'empty', role: 'alert' }, `This server does not answer this query yet (${e.message}).`);
    }
    return h('p', { class: 'error', role: 'alert' }, e.message || String(e));
  }

  async function loadTypes() {
    const mine = ++generation;
    notice.hide();
    const range = currentRange();
    let types;
    try {
      types = (await q.profileTypes(range.from, range.to)).types || [];
    } catch (e) {
      if (mine !== generation) return;
      chartBox.replaceChildren(failure(e));
      selectionBox.replaceChildren();
      return;
    }
    if (mine !== generation) return;
    const previous = typeSelect.value;
    const ids = types.map(typeId).sort();
    typeSelect.replaceChildren(...ids.map((id) => {
      const t = types.find((x) => typeId(x) === id);
      return h('option', { value: id }, `${t.name} - ${t.sampleType} (${t.sampleUnit})${t.delta ? ', delta' : ''}`);
    }));
    if (ids.includes(previous)) typeSelect.value = previous;
    typeSelect.disabled = !ids.length;
    updateSelector();
    if (!ids.length) {
      const last = await lastReceived(null);
      if (mine !== generation) return;
      chartBox.replaceChildren(h('div', { class: 'empty-state' },
        last
          ? h('p', {}, h('strong', {}, 'No profiles in this time range'), `; the last one arrived ${ago(last)} (`, time(last), '). Pick a longer time range.')
          : h('p', {}, h('strong', {}, 'No profiles have arrived in this project yet. '),
            h('a', { href: `#/projects/${projectId}` }, 'Connect a client'), ' to send some.')));
      selectionBox.replaceChildren();
      return;
    }
    await show(mine);
  }

  async function show(token) {
    const mine = token || ++generation;
    const range = currentRange();
    lastRange = range;
    const type = typeSelect.value;
    if (!type) return;
    // Delta profiles (e.g. CPU over 10 s) can be charted as a rate; merges still sum values.
    perSecondRow.hidden = !type.endsWith(':delta');
    const rate = !perSecondRow.hidden && perSecond.checked;
    const query = selector();
    // Up to an hour, one point per stored profile (a click opens exactly that one); longer
    // ranges in about 300 buckets (a click merges the bucket).
    const step = range.to - range.from > 3600e3 ? Math.max(1, Math.round((range.to - range.from) / 1000 / 300)) : null;
    chartBox.replaceChildren(h('p', { class: 'muted' }, 'Loading samples...'));
    let series;
    try {
      series = (await q.queryRange(query, range.from, range.to, step)).series || [];
    } catch (e) {
      if (mine !== generation) return;
      chartBox.replaceChildren(failure(e));
      selectionBox.replaceChildren();
      return;
    }
    if (mine !== generation) return;
    const unit = (series[0] && series[0].sampleType && series[0].sampleType.unit) || type.split(':')[2];
    const data = series.map((se) => ({
      label: labelText(labelsOf(se)),
      labels: labelsOf(se),
      points: (se.samples || []).map((p) => {
        const value = Number(p.value || 0);
        return { t: Date.parse(p.timestamp), exact: p.timestamp, value, v: rate ? Number(p.valuePerSecond || 0) : value };
      })
        .sort((a, b) => a.t - b.t),
    })).filter((se) => se.points.length);
    if (!data.length) {
      const last = await lastReceived(type);
      if (mine !== generation) return;
      chartBox.replaceChildren(h('div', { class: 'empty-state' }, h('p', {},
        h('strong', {}, 'No profiles of this type in this range'),
        last ? [`; last received ${ago(last)} (`, time(last), '). Widen the time range'] : '; none has been received yet. Send some or pick another type',
        matchers.value() ? ' or loosen the label matchers.' : '.')));
      selectionBox.replaceChildren();
      return;
    }
    const c = chart({
      series: data,
      from: range.from,
      to: range.to,
      unit,
      perSecond: rate,
      width: Math.max(600, chartBox.clientWidth || 900),
      onPoint: (p, se) => {
        c.mark(p.t, p.t);
        const one = `${type}{${labelText(se.labels)}}`;
        if (step) select({ mode: 'merge', query: one, from: p.t, to: p.t + step * 1000, type, unit, points: [p], bucket: true });
        else select({ mode: 'single', query: one, time: p.t, exactTime: p.exact, type, unit, points: [p] });
      },
      onRange: (from, to) => {
        const points = data.flatMap((se) => se.points.filter((p) => p.t >= from && p.t <= to));
        select({ mode: 'merge', query, from, to: to + 1, type, unit, points });
      },
    });
    chartBox.replaceChildren(h('h2', {}, 'Samples over time'), c);
    const all = data.flatMap((se) => se.points);
    select({ mode: 'merge', query, from: range.from, to: range.to, type, unit, points: all, whole: true });
  }

  async function select(sel) {
    const mine = ++generation;
    if (disposeFlame) { disposeFlame(); disposeFlame = null; }
    const total = sel.points.reduce((a, p) => a + p.value, 0);
    const what = sel.mode === 'single'
      ? ['Profile at ', time(new Date(sel.time).toISOString())]
      : [sel.whole ? 'Merged over the whole range, ' : sel.bucket ? 'Profiles of one step, ' : 'Merged from ', time(new Date(sel.from).toISOString()), ' to ', time(new Date(Math.min(sel.to, lastRange ? lastRange.to : sel.to)).toISOString())];
    const download = h('button', { type: 'button' }, 'Download pprof');
    const dlStatus = h('span', { class: 'muted small', role: 'status' });
    const head = h('div', { class: 'section-head' },
      h('h2', {}, ...what),
      h('div', { class: 'buttons' }, download, dlStatus));
    const summary = h('p', { class: 'muted explore-summary' },
      `${sel.points.length} sample${sel.points.length === 1 ? '' : 's'} selected, total ${formatValue(total, sel.unit)}.`);
    summary.dataset.selectedTotal = String(total);
    summary.dataset.selectedPoints = String(sel.points.length);
    const flameBox = h('div', {}, h('p', { class: 'muted' }, 'Loading the flame graph...'));
    const topBox = h('div', {}, h('p', { class: 'muted' }, 'Loading the top functions...'));
    selectionBox.replaceChildren(head, summary,
      h('h3', {}, 'Flame graph'), flameBox,
      h('h3', {}, 'Top functions'), topBox);
    if (sel.points.length === 0) {
      const msg = 'No samples in the selected range. Drag over a range with points, or click a point.';
      flameBox.replaceChildren(h('p', { class: 'empty' }, msg));
      topBox.replaceChildren();
      download.disabled = true;
      return;
    }

    download.addEventListener('click', async () => {
      download.disabled = true;
      dlStatus.textContent = 'Preparing...';
      try {
        const r = await q.query(sel, 'REPORT_TYPE_PPROF');
        const blob = new Blob([base64Bytes(r.pprof)], { type: 'application/octet-stream' });
        const url = URL.createObjectURL(blob);
        const from = sel.mode === 'single' ? sel.time : sel.from;
        const to = sel.mode === 'single' ? sel.time : sel.to;
        const a = h('a', { href: url, download: `${sel.type.replace(/[^A-Za-z0-9._-]/g, '_')}-${stamp(from)}-${stamp(to)}.pb.gz` });
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 60e3);
        dlStatus.textContent = `Downloaded ${blob.size.toLocaleString('en-US')} bytes.`;
      } catch (e) {
        dlStatus.textContent = e.message;
      } finally {
        download.disabled = false;
      }
    });

    const [fg, top] = await Promise.allSettled([
      q.query(sel, 'REPORT_TYPE_FLAMEGRAPH_TABLE'),
      q.query(sel, 'REPORT_TYPE_TOP'),
    ]);
    if (mine !== generation) return;
    if (fg.status === 'rejected') flameBox.replaceChildren(failure(fg.reason));
    else if (!fg.value.flamegraph || !fg.value.flamegraph.root || !Number(fg.value.flamegraph.root.cumulative || 0)) {
      flameBox.replaceChildren(h('p', { class: 'empty' }, 'The selected profiles hold no samples.'));
    } else {
      const graph = flamegraph(fg.value.flamegraph);
      flameBox.replaceChildren(graph);
      disposeFlame = graph.dispose;
    }
    if (top.status === 'rejected') topBox.replaceChildren(failure(top.reason));
    else topBox.replaceChildren(topTable(top.value));
  }

  function topTable(r) {
    const t = r.top || {};
    const unit = t.unit || '';
    const rows = (t.list || []).map((n) => {
      const meta = n.meta || {};
      const fn = meta.function || {};
      const loc = meta.location || {};
      const mapping = meta.mapping || {};
      const name = fn.name || (loc.address ? `0x${BigInt(loc.address).toString(16)}` : '?');
      return { flat: Number(n.flat || 0), cum: Number(n.cumulative || 0), name, file: fn.filename || mapping.file || '' };
    }).sort((a, b) => b.flat - a.flat || b.cum - a.cum);
    const total = Number(r.total || 0) || rows.reduce((a, x) => a + x.flat, 0);
    if (!rows.length) return h('p', { class: 'empty' }, 'No functions in the selected profiles.');
    const shown = rows.slice(0, TOP_ROWS);
    const num = (text) => h('td', { class: 'num' }, text);
    return h('div', {},
      h('table', { class: 'top-table' },
        h('caption', { class: 'sr-only' }, 'Top functions by flat value'),
        h('thead', {}, h('tr', {}, ['Flat', 'Flat %', 'Cumulative', 'Cumulative %', 'Function', 'File']
          .map((l) => h('th', { scope: 'col' }, l)))),
        h('tbody', {}, shown.map((x) => h('tr', {},
          num(formatValue(x.flat, unit)), num(percent(x.flat, total)),
          num(formatValue(x.cum, unit)), num(percent(x.cum, total)),
          h('td', {}, h('code', {}, x.name)),
          h('td', { class: 'small muted' }, x.file))))),
      rows.length > TOP_ROWS ? h('p', { class: 'hint' }, `Showing the top ${TOP_ROWS} of ${rows.length} functions.`) : null);
  }

  await loadTypes();
}
