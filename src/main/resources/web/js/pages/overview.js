// Project overview: is data arriving? Per source token and per node, the series, downloads.
// Refreshes itself every few seconds while open.
import { api, can } from '../api.js';
import { h, table, chips, time, bytes, copyField, errorBox, badge } from '../dom.js';
import { clientSetup } from '../components.js';

const REFRESH_MS = 3000;

const STATUS_TEXT = {
  UNAUTHENTICATED: 'Unauthenticated',
  PERMISSION_DENIED: 'Permission denied',
  INVALID_ARGUMENT: 'Invalid argument',
  RESOURCE_EXHAUSTED: 'Resource exhausted',
  NOT_FOUND: 'Not found',
  UNAVAILABLE: 'Unavailable',
  DEADLINE_EXCEEDED: 'Deadline exceeded',
  INTERNAL: 'Internal error',
};

function statusText(code) {
  return STATUS_TEXT[code] || String(code || '').toLowerCase().replace(/_/g, ' ');
}

export async function render(ctx, projectId) {
  const { main } = ctx;
  const project = (await api.get(`/v1/projects/${projectId}`)).project;
  const canSetUp = await can(project.organizationId, 'serviceaccount.create');
  const notice = errorBox();
  const statsEl = h('div', { 'aria-live': 'polite' });
  const seriesEl = h('div');
  const updated = h('p', { class: 'muted small' });
  main.append(
    h('div', { class: 'page-head' },
      h('h1', {}, project.name),
      h('div', { class: 'buttons' },
        h('a', { class: 'button', href: `#/projects/${projectId}/explore` }, 'Explore profiles'),
        canSetUp ? h('a', { class: 'button', href: `#/projects/${projectId}/onboarding` }, 'Connect a client') : null,
        h('a', { class: 'button', href: `#/projects/${projectId}/settings` }, 'Project settings'))),
    copyField('Project id', project.id),
    notice.el,
    h('section', {}, h('h2', {}, 'Data arriving'), updated, statsEl),
    h('section', {}, h('h2', {}, 'Series'), seriesEl));

  let openSeries = null;
  let stopped = false;
  let timer = null;
  ctx.onLeave(() => { stopped = true; clearTimeout(timer); });

  // Who sent: the token's owner and name, "deleted" when the token no longer exists, and for
  // refusals before any token was recognized, that no valid token came.
  const sourceCell = (s) => {
    if (s.sourceId === 'unknown' && !s.sourceName) return h('span', { class: 'muted' }, 'no valid token');
    const name = s.sourceName || (s.sourceId ? h('code', { class: 'small' }, s.sourceId) : h('span', { class: 'muted' }, 'no valid token'));
    return h('span', {}, name, s.sourceState === 'deleted' ? [' ', badge('deleted', 'warn')] : null);
  };

  const windowCell = (w) => (w ? `${w.calls} call${w.calls === 1 ? "" : "s"}, ${bytes(w.bytes)}${w.refusals ? `, ${w.refusals} refused` : ''}` : '');

  async function refresh() {
    try {
      const [stats, series] = await Promise.all([
        api.get(`/v1/projects/${projectId}/ingest/stats`),
        api.get(`/v1/projects/${projectId}/series`),
      ]);
      notice.hide();
      drawStats(stats);
      drawSeries(series.series || []);
      updated.replaceChildren('Updated ', time(new Date().toISOString()), ', refreshing every few seconds.');
    } catch (e) {
      if (e.status === 404) {
        statsEl.replaceChildren(h('p', { class: 'empty' }, 'This server does not report ingestion statistics yet.'));
        return;
      }
      notice.show(e);
    }
    if (!stopped) timer = setTimeout(refresh, REFRESH_MS);
  }

  function drawStats(stats) {
    const sources = stats.sources || [];
    const nodes = stats.nodes || [];
    if (!sources.length) {
      statsEl.replaceChildren(h('div', { class: 'empty-state' },
        h('p', {}, h('strong', {}, 'No profiles have arrived in this project yet.')),
        h('p', {}, 'Point a Parca Agent or a Parca scraper at this server with a service-account token that has ',
          h('code', {}, 'profile.write'), ' in this project. Use these flags (the token goes into the file):'),
        clientSetup(projectId, null),
        canSetUp ? h('p', {}, h('a', { href: `#/projects/${projectId}/onboarding` }, 'Create a service account and token step by step')) : null));
      return;
    }
    statsEl.replaceChildren(
      h('h3', {}, 'Per source token'),
      table([
        { label: 'Source', cell: sourceCell },
        { label: 'Token id', cell: (s) => (s.sourceId === 'unknown' ? '' : h('code', { class: 'small' }, s.sourceId || '')) },
        { label: 'Last received', cell: (s) => time(s.lastReceived) },
        { label: 'Last 5 min', cell: (s) => windowCell(s.last5m) },
        { label: 'Last hour', cell: (s) => windowCell(s.lastHour) },
        { label: 'Profiles', cell: (s) => String(s.totalProfiles) },
        { label: 'Stored', cell: (s) => bytes(s.totalBytes) },
      ], sources, '', 'Sources'),
      h('h3', {}, 'Per node'),
      table([
        { label: 'Node', cell: (n) => n.node || h('span', { class: 'muted' }, 'unknown') },
        { label: 'Last received', cell: (n) => time(n.lastReceived) },
        { label: 'Last 5 min', cell: (n) => windowCell(n.last5m) },
        { label: 'Last hour', cell: (n) => windowCell(n.lastHour) },
        { label: 'Profiles', cell: (n) => String(n.totalProfiles) },
      ], nodes, 'No node names reported.', 'Nodes'),
      refusalsSection(stats.refusals || []));
  }

  function refusalsSection(refusals) {
    if (!refusals.length) return null;
    return h('div', {},
      h('h3', {}, 'Refused calls (last hour)'),
      h('p', { class: 'hint' }, 'Why each call was refused, as its client was told, and where it came from.'),
      table([
        { label: 'Last', cell: (r) => time(r.lastAt) },
        { label: 'Why', cell: (r) => h('span', {}, h('strong', {}, statusText(r.status)), h('br'), r.reason) },
        { label: 'Source', cell: sourceCell },
        { label: 'From', cell: (r) => h('span', {}, r.clientIp || h('span', { class: 'muted' }, 'address not recorded'),
          r.userAgent ? [h('br'), h('span', { class: 'muted small' }, r.userAgent)] : null) },
        { label: 'Method', cell: (r) => r.method },
        { label: 'Calls', cell: (r) => String(r.calls) },
      ], refusals, '', 'Refused calls'));
  }

  function drawSeries(series) {
    seriesEl.replaceChildren(table([
      { label: 'Labels', cell: (s) => chips(Object.entries(s.labels || {}).map(([k, v]) => `${k}="${v}"`), 'labels') },
      { label: 'Types', cell: (s) => chips(s.profileTypes || []) },
      { label: 'Profiles', cell: (s) => String(s.count) },
      { label: 'Last seen', cell: (s) => time(s.lastSeen) },
      {
        label: '',
        cell: (s) => h('button', {
          type: 'button', 'aria-expanded': String(openSeries === s.id), class: 'small nowrap',
          onclick: () => { openSeries = openSeries === s.id ? null : s.id; drawSeries(series); },
        }, openSeries === s.id ? 'Hide profiles' : 'Profiles'),
      },
    ], series, 'No series yet.', 'Series'));
    if (openSeries) {
      // The profiles open right under the row whose button was clicked.
      const box = h('div', { class: 'card' }, h('p', { class: 'muted' }, 'Loading profiles...'));
      const i = series.findIndex((x) => x.id === openSeries);
      const rows = seriesEl.querySelectorAll('tbody > tr');
      if (i >= 0 && rows[i]) rows[i].after(h('tr', { class: 'expanded' }, h('td', { colspan: '5' }, box)));
      else seriesEl.append(box);
      loadProfiles(openSeries, box);
    }
  }

  async function loadProfiles(seriesId, box) {
    try {
      const r = await api.get(`/v1/projects/${projectId}/profiles?seriesId=${encodeURIComponent(seriesId)}&limit=50`);
      const profiles = (r.profiles || []).slice(-50).reverse();
      box.replaceChildren(h('h3', {}, 'Latest profiles'), table([
        { label: 'Received', cell: (p) => time(p.receivedAt) },
        { label: 'Size', cell: (p) => bytes(p.size) },
        { label: 'Source', cell: (p) => p.sourceName || '' },
        { label: 'Node', cell: (p) => p.node || '' },
        { label: 'Download', cell: (p) => h('a', { href: `/v1/projects/${projectId}/profiles/${p.id}/raw`, download: '' }, ({ pprof: 'pprof (.pb.gz)', arrow: 'Arrow stream', write_v1: 'Write v1 records' })[p.kind] ?? p.kind) },
      ], profiles, 'No profiles in this series.', 'Profiles'));
    } catch (e) {
      box.replaceChildren(h('p', { class: 'error' }, e.message));
    }
  }

  await refresh();
}
