// Profile values with their units: nanoseconds as ns/µs/ms/s, bytes as KiB/MiB/GiB, counts
// with k/M/G. Used by the flame graph, the chart and the top table.

const NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

function scaled(n, steps) {
  let i = 0;
  let v = n;
  while (i < steps.length - 1 && Math.abs(v) >= steps[i + 1][0] / steps[i][0]) {
    v /= steps[i + 1][0] / steps[i][0];
    i += 1;
  }
  return `${NUMBER.format(v)} ${steps[i][1]}`.trim();
}

const TIME = [[1, 'ns'], [1e3, 'µs'], [1e6, 'ms'], [1e9, 's']]; // seconds at most, as pprof prints CPU
const BYTES = [[1, 'B'], [1024, 'KiB'], [1024 ** 2, 'MiB'], [1024 ** 3, 'GiB'], [1024 ** 4, 'TiB']];
const COUNT = [[1, ''], [1e3, 'k'], [1e6, 'M'], [1e9, 'G'], [1e12, 'T']];

/** A value in its unit ("nanoseconds", "bytes", "count", ...), human readable. */
export function formatValue(value, unit) {
  const n = Number(value) || 0;
  switch ((unit || '').toLowerCase()) {
    case 'nanoseconds': case 'ns': return scaled(n, TIME);
    case 'microseconds': return scaled(n * 1e3, TIME);
    case 'milliseconds': return scaled(n * 1e6, TIME);
    case 'seconds': return scaled(n * 1e9, TIME);
    case 'bytes': return scaled(n, BYTES);
    default: return scaled(n, COUNT);
  }
}

/** "12.5%" of total; "0%" when there is no total. */
export function percent(value, total) {
  if (!total) return '0%';
  const p = (100 * value) / total;
  return `${p >= 10 || p === 0 ? p.toFixed(1) : p.toPrecision(2)}%`;
}

/** "3 h ago", "5 min ago", "just now" for a past time (Date, ms or RFC 3339). */
export function ago(when, now = Date.now()) {
  const s = Math.max(0, Math.round((now - new Date(when).getTime()) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400 * 2) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}
