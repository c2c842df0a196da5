// Samples over time as inline SVG built with DOM calls (names only ever reach textContent): one
// line per series, a click on a point picks that profile, a drag over the plot picks a range.
import { h } from './dom.js';
import { formatValue } from './units.js';

const SVG = 'http://www.w3.org/2000/svg';
const PALETTE = ['#2f5fd0', '#d9468f', '#1f7a3a', '#c26a00', '#7a3fc2', '#0f8a8a', '#b42318', '#5d6878'];
const PAD = { left: 72, right: 12, top: 10, bottom: 28 };

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  for (const c of children) if (c) el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

function niceStep(range, ticks) {
  const raw = range / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw || 1));
  const f = raw / mag;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

const pad2 = (n) => String(n).padStart(2, '0');
function clock(t, withDate) {
  const d = new Date(t);
  const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  return withDate ? `${d.getMonth() + 1}/${d.getDate()} ${hm}` : hm;
}

/**
 * chart({series: [{label, points: [{t, v}]}], from, to, unit, onPoint(point, series), onRange(from, to)})
 * returns an element whose data-points is the number of points drawn and data-total the sum of
 * their values (p.value, else the plotted p.v). perSecond marks the plotted values as rates.
 */
export function chart({ series, from, to, unit, perSecond = false, width = 900, height = 240, onPoint, onRange }) {
  const fmt = (v) => formatValue(v, unit) + (perSecond ? '/s' : '');
  const W = width;
  const H = height;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  let max = 0;
  let count = 0;
  let total = 0;
  for (const se of series) for (const p of se.points) { max = Math.max(max, p.v); count += 1; total += p.value ?? p.v; }
  const yStep = niceStep(max || 1, 4);
  const yMax = Math.max(yStep, Math.ceil((max || 1) / yStep) * yStep);
  const x = (t) => PAD.left + ((t - from) / Math.max(1, to - from)) * plotW;
  const y = (v) => PAD.top + plotH - (v / yMax) * plotH;
  const tAt = (px) => from + ((px - PAD.left) / plotW) * (to - from);

  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart-svg', role: 'img', 'aria-label': `Samples over time: ${count} points in ${series.length} series` });
  const grid = s('g', { class: 'chart-grid' });
  for (let v = 0; v <= yMax + 1e-9; v += yStep) {
    grid.appendChild(s('line', { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v) }));
    grid.appendChild(s('text', { x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, fmt(v)));
  }
  const span = to - from;
  const tStep = [60e3, 300e3, 900e3, 1800e3, 3600e3, 3 * 3600e3, 6 * 3600e3, 12 * 3600e3, 86400e3]
    .find((st) => span / st <= 8) || 86400e3 * Math.ceil(span / 86400e3 / 8);
  for (let t = Math.ceil(from / tStep) * tStep; t <= to; t += tStep) {
    grid.appendChild(s('line', { x1: x(t), x2: x(t), y1: PAD.top, y2: PAD.top + plotH, class: 'v' }));
    grid.appendChild(s('text', { x: x(t), y: H - 8, 'text-anchor': 'middle' }, clock(t, span > 86400e3)));
  }
  svg.appendChild(grid);

  const band = s('rect', { class: 'chart-band', x: 0, y: PAD.top, width: 0, height: plotH, visibility: 'hidden' });
  const hit = s('rect', { class: 'chart-hit', x: PAD.left, y: PAD.top, width: plotW, height: plotH });
  svg.appendChild(hit);
  svg.appendChild(band);

  const legend = h('ul', { class: 'chart-legend' });
  series.forEach((se, i) => {
    const color = PALETTE[i % PALETTE.length];
    const g = s('g', { class: 'chart-series' });
    const pts = se.points.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
    g.appendChild(s('polyline', { points: pts, fill: 'none', stroke: color, 'stroke-width': 1.5 }));
    for (const p of se.points) {
      const c = s('circle', {
        cx: x(p.t), cy: y(p.v), r: 3.5, fill: color, class: 'chart-point', tabindex: 0, role: 'button',
        'aria-label': `${se.label || 'all series'} at ${new Date(p.t).toLocaleString()}: ${fmt(p.v)}`,
        'data-time': new Date(p.t).toISOString(), 'data-value': p.v,
      },
        s('title', {}, `${se.label || 'all'}\n${new Date(p.t).toLocaleString()}: ${fmt(p.v)}`));
      c.addEventListener('mousedown', (e) => e.stopPropagation());
      c.addEventListener('click', (e) => { e.stopPropagation(); if (onPoint) onPoint(p, se); });
      c.addEventListener('keydown', (e) => {
        if ((e.key === 'Enter' || e.key === ' ') && onPoint) { e.preventDefault(); onPoint(p, se); }
      });
      g.appendChild(c);
    }
    svg.appendChild(g);
    const swatch = s('svg', { width: 12, height: 12, 'aria-hidden': 'true' }, s('rect', { width: 12, height: 12, rx: 2, fill: color }));
    legend.appendChild(h('li', {}, swatch, ' ', h('code', {}, se.label || 'all series')));
  });

  // Dragging over the plot selects a time range.
  let dragFrom = null;
  const svgX = (e) => {
    const r = svg.getBoundingClientRect();
    return ((e.clientX - r.left) / r.width) * W;
  };
  const clamp = (px) => Math.max(PAD.left, Math.min(W - PAD.right, px));
  svg.addEventListener('mousedown', (e) => {
    dragFrom = clamp(svgX(e));
    band.setAttribute('x', dragFrom);
    band.setAttribute('width', 0);
    band.setAttribute('visibility', 'visible');
    e.preventDefault();
  });
  svg.addEventListener('mousemove', (e) => {
    if (dragFrom === null) return;
    const px = clamp(svgX(e));
    band.setAttribute('x', Math.min(px, dragFrom));
    band.setAttribute('width', Math.abs(px - dragFrom));
  });
  const end = (e) => {
    if (dragFrom === null) return;
    const px = clamp(svgX(e));
    const a = Math.min(px, dragFrom);
    const b = Math.max(px, dragFrom);
    dragFrom = null;
    if (b - a < 3) { band.setAttribute('visibility', 'hidden'); return; }
    if (onRange) onRange(Math.floor(tAt(a)), Math.ceil(tAt(b)));
  };
  svg.addEventListener('mouseup', end);
  svg.addEventListener('mouseleave', (e) => { if (dragFrom !== null) end(e); });

  const el = h('div', { class: 'chart' }, svg, legend);
  el.dataset.points = String(count);
  el.dataset.total = String(total);
  /** Marks [a, b] as the selected range (or clears it). */
  el.mark = (a, b) => {
    if (a === undefined) { band.setAttribute('visibility', 'hidden'); return; }
    band.setAttribute('x', x(a));
    band.setAttribute('width', Math.max(2, x(b) - x(a)));
    band.setAttribute('visibility', 'visible');
  };
  return el;
}
