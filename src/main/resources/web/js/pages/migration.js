// Organization -> Migration: what `tollgate migrate report` says, per legacy token: its project,
// whether and when it is still used and by which nodes, and whether a service account replaced it.
import { api } from '../api.js';
import { h, table, time, badge, errorBox } from '../dom.js';
import { serviceAccountTokens, nodesBySource, replacedByCell } from '../access.js';

export async function render(ctx, orgId) {
  const { main } = ctx;
  const notice = errorBox();
  const summary = h('p', { class: 'lead' });
  const listEl = h('div');
  main.append(
    h('h1', {}, 'Migration off legacy tokens'),
    h('p', {}, 'Every legacy project token of the organization, as ', h('code', {}, 'tollgate migrate report'),
      ' lists it. Replace the ones still used with a service account, switch their nodes, then delete them.'),
    notice.el, summary, listEl);

  const report = await api.get(`/v1/organizations/${orgId}/migration`);
  const tokens = report.tokens || [];
  const projectIds = [...new Set(tokens.map((t) => t.projectId))];
  const [sa, ...nodeMaps] = await Promise.all([
    serviceAccountTokens(orgId).catch(() => ({ tokens: [] })),
    ...projectIds.map((p) => nodesBySource(p))]);
  const nodes = new Map(projectIds.map((p, i) => [p, nodeMaps[i]]));
  summary.replaceChildren(`${report.replaced} of ${report.total} legacy tokens replaced`,
    report.legacyTokensFrozen ? '; new legacy tokens are frozen.' : '.');

  const used = (t) => t.callsLast7d > 0;
  listEl.replaceChildren(table([
    { label: 'Token', cell: (t) => h('span', { title: t.id }, t.name) },
    { label: 'Project', cell: (t) => h('a', { href: `#/projects/${t.projectId}/settings`, title: t.projectId }, t.projectName) },
    { label: 'Still used', cell: (t) => (used(t) ? badge('still used', 'warn') : badge('unused for 7 days', 'ok')) },
    { label: 'Last used', cell: (t) => time(t.lastUsedAt) },
    { label: 'Calls', cell: (t) => `${t.callsLast24h} in 24 h, ${t.callsLast7d} in 7 days` },
    {
      label: 'Nodes',
      cell: (t) => {
        const list = (nodes.get(t.projectId) || new Map()).get(t.id) || [];
        return list.length ? h('span', {}, list.map((n, i) => [i ? ', ' : '', h('span', { title: `last profile ${n.lastReceived}` }, n.node)]))
          : h('span', { class: 'muted' }, 'none seen');
      },
    },
    { label: 'Replaced by', cell: (t) => replacedByCell(t.replacement, sa.tokens) },
    {
      label: 'Actions',
      cell: (t) => (t.replacement ? ''
        : h('a', { class: 'button small primary', href: `#/projects/${t.projectId}/settings`, 'aria-label': `Replace ${t.name}` }, 'Replace')),
    },
  ], tokens, 'No legacy tokens in this organization.', 'Legacy tokens'));
  notice.hide();
}
