// A flame graph on <canvas> from Parca's REPORT_TYPE_FLAMEGRAPH_TABLE answer (the Flamegraph
// message: nodes nested under root, their names found through the locations, function and string
// tables, 1-based indexes with 0 for "none", as Parca's frontend reads them).
//
// Built to stay interactive at 50,000+ nodes: the tree is flattened once into typed arrays with
// nodes in depth-first order (so each depth's nodes are sorted by start); each zoom computes the
// layout of the visible rectangles wider than MIN_WIDTH px once; a redraw only paints that layout;
// hovering finds the row from y and the rectangle by binary search on x.
import { h } from './dom.js';
import { formatValue, percent } from './units.js';

const ROW_HEIGHT = 18;
const MIN_WIDTH = 0.5;
const FONT = '12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';

const num = (v) => Number(v || 0);

function basename(path) {
  const i = path.lastIndexOf('/');
  return i >= 0 ? path.slice(i + 1) : path;
}

/** Name and file of a node's frame, from inline metadata or the tables. */
function frameOf(meta, fg, strings) {
  let fn = meta.function;
  let loc = meta.location;
  let mapping = meta.mapping;
  if (!fn && meta.locationIndex) {
    loc = (fg.locations || [])[meta.locationIndex - 1];
    if (loc) {
      const line = (loc.lines || [])[meta.lineIndex || 0];
      const f = line && line.functionIndex ? (fg.function || [])[line.functionIndex - 1] : null;
      if (f) fn = { name: strings[f.nameStringIndex || 0], filename: strings[f.filenameStringIndex || 0] };
      const m = loc.mappingIndex ? (fg.mapping || [])[loc.mappingIndex - 1] : null;
      if (m) mapping = { file: strings[m.fileStringIndex || 0] };
    }
  }
  if (fn && fn.name) return { name: fn.name, file: fn.filename || '' };
  const address = loc && loc.address ? `0x${BigInt(loc.address).toString(16)}` : '?';
  return { name: mapping && mapping.file ? `${basename(mapping.file)} ${address}` : address, file: '' };
}

/**
 * Flattens a Flamegraph message: node 0 is the root; arrays by node id (depth-first order) of
 * depth, start (value offset), value (cumulative), self, parent and name/file ids.
 */
export function flatten(fg) {
  const strings = fg.stringTable || [];
  const names = ['root'];
  const files = [''];
  const nameIds = new Map([['root', 0]]);
  const fileIds = new Map([['', 0]]);
  const intern = (map, list, s) => {
    let id = map.get(s);
    if (id === undefined) { id = list.length; list.push(s); map.set(s, id); }
    return id;
  };
  const out = { depth: [], start: [], value: [], self: [], parent: [], name: [], file: [] };
  const root = fg.root || {};
  // stack entries: [node, depth, start, parent]
  const stack = [[root, 0, 0, -1]];
  let maxDepth = 0;
  while (stack.length) {
    const [node, depth, start, parent] = stack.pop();
    const id = out.depth.length;
    const value = num(node.cumulative);
    let frame = { name: 'root', file: '' };
    if (id > 0) frame = frameOf(node.meta || {}, fg, strings);
    out.depth.push(depth);
    out.start.push(start);
    out.value.push(value);
    out.parent.push(parent);
    out.name.push(id === 0 ? 0 : intern(nameIds, names, frame.name));
    out.file.push(intern(fileIds, files, frame.file));
    if (depth > maxDepth) maxDepth = depth;
    const children = node.children || [];
    let childSum = 0;
    const starts = new Array(children.length);
    for (let i = 0; i < children.length; i += 1) {
      starts[i] = start + childSum;
      childSum += num(children[i].cumulative);
    }
    out.self.push(Math.max(0, value - childSum));
    for (let i = children.length - 1; i >= 0; i -= 1) stack.push([children[i], depth + 1, starts[i], id]);
  }
  const n = out.depth.length;
  const graph = {
    size: n,
    maxDepth,
    depth: Int32Array.from(out.depth),
    start: Float64Array.from(out.start),
    value: Float64Array.from(out.value),
    self: Float64Array.from(out.self),
    parent: Int32Array.from(out.parent),
    name: Int32Array.from(out.name),
    file: Int32Array.from(out.file),
    names,
    files,
    unit: fg.unit || '',
    total: n ? out.value[0] : 0,
  };
  const counts = new Int32Array(maxDepth + 1);
  for (let i = 0; i < n; i += 1) counts[graph.depth[i]] += 1;
  graph.rows = Array.from(counts, (c) => new Int32Array(c));
  const fill = new Int32Array(maxDepth + 1);
  for (let i = 0; i < n; i += 1) {
    const d = graph.depth[i];
    graph.rows[d][fill[d]] = i;
    fill[d] += 1;
  }
  return graph;
}

function hashHue(s) {
  let x = 2166136261;
  for (let i = 0; i < s.length; i += 1) { x ^= s.charCodeAt(i); x = Math.imul(x, 16777619); }
  return (x >>> 0) % 360;
}

function colorOf(name) {
  const x = hashHue(name);
  return `hsl(${(x % 45) + 5}, ${68 + (x % 17)}%, ${58 + (x % 13)}%)`;
}

/** First index in the sorted array `arr` (by key(i)) where key >= v. */
function lowerBound(len, key, v) {
  let lo = 0;
  let hi = len;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(mid) < v) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/**
 * Renders `fg` (a Flamegraph message) into a new element and returns it. The element carries
 * data-total, data-unit, data-nodes, data-focus (the zoomed frame), data-matches and
 * data-match-percent for tests and assistive summaries, and a `locateFrame(name)` function
 * answering the client coordinates of the widest visible frame of that name (or null).
 */
export function flamegraph(fg, opts = {}) {
  const g = flatten(fg);
  const canvas = h('canvas', { class: 'flame-canvas', role: 'img', tabindex: '0' });
  // The hover outline goes on a second canvas on top, so hovering never repaints the graph.
  const overlay = h('canvas', { class: 'flame-overlay', 'aria-hidden': 'true' });
  const tip = h('div', { class: 'flame-tip', role: 'tooltip', hidden: true });
  const status = h('p', { class: 'flame-status muted small', 'aria-live': 'polite' });
  const search = h('input', { type: 'search', placeholder: 'Search frames (substring)', 'aria-label': 'Search frames' });
  const matchText = h('span', { class: 'flame-matches', role: 'status' });
  const reset = h('button', { type: 'button', class: 'small', disabled: true }, 'Reset zoom');
  const stage = h('div', { class: 'flame-stage' }, canvas, overlay, tip);
  const el = h('div', { class: 'flamegraph' },
    h('div', { class: 'flame-bar' }, search, matchText, reset),
    status, stage);
  el.dataset.total = String(g.total);
  el.dataset.unit = g.unit;
  el.dataset.nodes = String(g.size);

  let focus = 0;
  let width = 0;
  let layout = [];
  let matched = null; // Uint8Array per name id, or null without a search
  let hover = -1;
  const ctx = canvas.getContext('2d');
  const octx = overlay.getContext('2d');

  const valueText = (v) => `${formatValue(v, g.unit)} (${percent(v, g.total)})`;

  function computeLayout() {
    width = Math.max(100, stage.clientWidth || opts.width || 800);
    const fStart = g.start[focus];
    const fValue = g.value[focus] || 1;
    const fEnd = fStart + fValue;
    const scale = width / fValue;
    layout = [];
    // The focused frame's ancestors span the whole width.
    const chain = [];
    for (let a = focus; a >= 0; a = g.parent[a]) chain.push(a);
    chain.reverse();
    for (const a of chain) layout.push({ x: new Float64Array([0]), w: new Float64Array([width]), id: new Int32Array([a]), n: 1 });
    for (let d = g.depth[focus] + 1; d <= g.maxDepth; d += 1) {
      const row = g.rows[d];
      const xs = [];
      const ws = [];
      const ids = [];
      let i = lowerBound(row.length, (k) => g.start[row[k]], fStart);
      for (; i < row.length; i += 1) {
        const id = row[i];
        const s = g.start[id];
        if (s >= fEnd) break;
        const w = g.value[id] * scale;
        if (w < MIN_WIDTH) continue;
        xs.push((s - fStart) * scale);
        ws.push(w);
        ids.push(id);
      }
      if (!ids.length) break;
      layout.push({ x: Float64Array.from(xs), w: Float64Array.from(ws), id: Int32Array.from(ids), n: ids.length });
    }
  }

  function draw() {
    const height = layout.length * ROW_HEIGHT;
    // Browsers refuse canvases over ~32k pixels a side: deep stacks give up sharpness, not rows.
    const dpr = Math.min(window.devicePixelRatio || 1, 32000 / Math.max(1, height));
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = FONT;
    ctx.textBaseline = 'middle';
    const charWidth = ctx.measureText('m').width || 7;
    const colors = new Map();
    for (let d = 0; d < layout.length; d += 1) {
      const row = layout[d];
      const y = d * ROW_HEIGHT;
      for (let i = 0; i < row.n; i += 1) {
        const id = row.id[i];
        const nameId = g.name[id];
        const x = row.x[i];
        const w = row.w[i];
        let color;
        if (matched && !matched[nameId]) color = '#dfe3ea';
        else if (matched) color = '#d9468f';
        else {
          color = colors.get(nameId);
          if (!color) { color = id === 0 ? '#9aa5b5' : colorOf(g.names[nameId]); colors.set(nameId, color); }
        }
        ctx.fillStyle = color;
        ctx.fillRect(x, y, Math.max(w - (w > 2 ? 1 : 0), 0.5), ROW_HEIGHT - 1);
        if (w > 3 * charWidth) {
          const fits = Math.floor((w - 6) / charWidth);
          let label = id === 0 ? `root ${formatValue(g.total, g.unit)}` : g.names[nameId];
          if (label.length > fits) label = `${label.slice(0, Math.max(1, fits - 1))}…`;
          ctx.fillStyle = matched && matched[nameId] ? '#fff' : '#1d2430';
          ctx.fillText(label, x + 3, y + ROW_HEIGHT / 2);
        }
      }
    }
    overlay.width = canvas.width;
    overlay.height = canvas.height;
    overlay.style.width = canvas.style.width;
    overlay.style.height = canvas.style.height;
    octx.setTransform(dpr, 0, 0, dpr, 0, 0);
    drawHover();
  }

  function drawHover() {
    octx.clearRect(0, 0, width, layout.length * ROW_HEIGHT);
    if (hover < 0) return;
    const p = position(hover);
    if (!p) return;
    octx.strokeStyle = '#1d2430';
    octx.lineWidth = 1.5;
    octx.strokeRect(p.x + 0.75, p.row * ROW_HEIGHT + 0.75, Math.max(p.w - 1.5, 1), ROW_HEIGHT - 2.5);
  }

  function position(id) {
    const row = layout[g.depth[id]]; // layout row d holds depth d
    if (!row) return null;
    // A row's ids ascend (depth-first order), so binary search.
    const i = lowerBound(row.n, (k) => row.id[k], id);
    return i < row.n && row.id[i] === id ? { row: g.depth[id], x: row.x[i], w: row.w[i] } : null;
  }

  function hit(px, py) {
    const d = Math.floor(py / ROW_HEIGHT);
    const row = layout[d];
    if (!row || px < 0) return -1;
    const i = lowerBound(row.n, (k) => row.x[k], px + 1e-9) - 1;
    if (i < 0 || px > row.x[i] + row.w[i]) return -1;
    return row.id[i];
  }

  function describe(id) {
    return id === 0 ? 'root' : g.names[g.name[id]];
  }

  function updateStatus() {
    el.dataset.focus = describe(focus);
    el.dataset.focusTotal = String(g.value[focus]);
    reset.disabled = focus === 0;
    status.textContent = focus === 0
      ? `${g.size.toLocaleString('en-US')} frames, total ${formatValue(g.total, g.unit)}. Click a frame to zoom in, a frame below it to zoom out.`
      : `Zoomed on ${describe(focus)}: ${valueText(g.value[focus])}. Click root or Reset zoom to zoom out.`;
  }

  function render() {
    computeLayout();
    draw();
    updateStatus();
  }

  function zoom(id) {
    focus = id < 0 ? 0 : id;
    hover = -1;
    tip.hidden = true;
    render();
    if (opts.onZoom) opts.onZoom(describe(focus));
  }

  function applySearch() {
    const q = search.value.trim().toLowerCase();
    if (!q) {
      matched = null;
      matchText.textContent = '';
      delete el.dataset.matches;
      delete el.dataset.matchPercent;
      draw();
      return;
    }
    matched = new Uint8Array(g.names.length);
    for (let i = 1; i < g.names.length; i += 1) if (g.names[i].toLowerCase().includes(q)) matched[i] = 1;
    // Matched share of the total: frames matching with no matching ancestor (ids are depth-first,
    // so a parent's id is below its children's).
    const covered = new Uint8Array(g.size);
    let count = 0;
    let sum = 0;
    for (let i = 1; i < g.size; i += 1) {
      const p = g.parent[i];
      const isMatch = matched[g.name[i]] === 1;
      if (isMatch) count += 1;
      if (covered[p]) covered[i] = 1;
      else if (isMatch) { covered[i] = 1; sum += g.value[i]; }
    }
    el.dataset.matches = String(count);
    el.dataset.matchPercent = percent(sum, g.total);
    matchText.textContent = count
      ? `${count} matching frame${count === 1 ? '' : 's'}, ${percent(sum, g.total)} of the total`
      : 'No frame matches.';
    draw();
  }

  function showTip(id, clientX, clientY) {
    const name = describe(id);
    const file = g.files[g.file[id]];
    tip.replaceChildren(
      h('strong', { class: 'flame-tip-name' }, name),
      file ? h('div', { class: 'muted small' }, file) : null,
      h('dl', {},
        h('dt', {}, 'Total'), h('dd', { class: 'flame-tip-total' }, valueText(g.value[id])),
        h('dt', {}, 'Self'), h('dd', { class: 'flame-tip-self' }, valueText(g.self[id]))));
    tip.hidden = false;
    const box = stage.getBoundingClientRect();
    const x = clientX - box.left + 14;
    const y = clientY - box.top + 14;
    tip.style.left = `${Math.min(x, Math.max(0, box.width - tip.offsetWidth - 4))}px`;
    tip.style.top = `${y}px`;
    el.dataset.hover = name;
  }

  canvas.addEventListener('mousemove', (e) => {
    const r = canvas.getBoundingClientRect();
    const id = hit(e.clientX - r.left, e.clientY - r.top);
    if (id !== hover) { hover = id; drawHover(); }
    if (id < 0) { tip.hidden = true; delete el.dataset.hover; return; }
    showTip(id, e.clientX, e.clientY);
  });
  canvas.addEventListener('mouseleave', () => { hover = -1; tip.hidden = true; delete el.dataset.hover; drawHover(); });
  canvas.addEventListener('click', (e) => {
    const r = canvas.getBoundingClientRect();
    const id = hit(e.clientX - r.left, e.clientY - r.top);
    if (id >= 0 && id !== focus) zoom(id);
  });
  canvas.addEventListener('keydown', (e) => { if (e.key === 'Escape') zoom(0); });
  reset.addEventListener('click', () => zoom(0));
  search.addEventListener('input', applySearch);

  el.locateFrame = (name) => {
    let best = null;
    for (let d = 0; d < layout.length; d += 1) {
      const row = layout[d];
      for (let i = 0; i < row.n; i += 1) {
        if (describe(row.id[i]) === name && (!best || row.w[i] > best.w)) best = { d, x: row.x[i], w: row.w[i] };
      }
    }
    if (!best) return null;
    const r = canvas.getBoundingClientRect();
    return { x: r.left + best.x + Math.min(best.w / 2, 20), y: r.top + best.d * ROW_HEIGHT + ROW_HEIGHT / 2 };
  };
  el.zoomTo = (name) => {
    for (let i = 0; i < g.size; i += 1) if (describe(i) === name) { zoom(i); return true; }
    return false;
  };

  // Lay out once attached (the width is known then) and again when the width changes.
  const resize = new ResizeObserver(() => {
    const w = stage.clientWidth;
    if (w && Math.abs(w - width) >= 1) render();
  });
  resize.observe(stage);
  el.dispose = () => resize.disconnect();
  requestAnimationFrame(() => { if (!layout.length) render(); });
  return el;
}
