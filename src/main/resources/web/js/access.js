// Who can reach a project: the role bindings that grant in it, the service-account tokens bound
// to it, its legacy tokens with their use and replacement. Read from the organization's lists.
import { api } from './api.js';
import { h } from './dom.js';

// Permissions that act on a project (the rest are organization-wide: accounts, roles, members...).
const PROJECT_PERMISSION = /^(profile|view|debuginfo)\.|^project\.(read|update|delete)$/;

export function projectPermissions(role) {
  return (role && role.permissions ? role.permissions : []).filter((p) => PROJECT_PERMISSION.test(p));
}

/** Every service-account token of the organization, each with its account's name. */
export async function serviceAccountTokens(orgId) {
  const sas = (await api.get(`/v1/organizations/${orgId}/serviceaccounts`)).serviceAccounts || [];
  const lists = await Promise.all(sas.map((sa) => api.get(`/v1/organizations/${orgId}/serviceaccounts/${sa.id}/tokens`)
    .then((r) => (r.tokens || []).map((t) => ({ ...t, serviceAccountName: sa.name })))
    .catch(() => [])));
  return { serviceAccounts: sas, tokens: lists.flat() };
}

/** The migration report's tokens (last use, calls, replacement), or null when the caller may not read it. */
export async function migrationReport(orgId) {
  try {
    return await api.get(`/v1/organizations/${orgId}/migration`);
  } catch (e) {
    if (e.status === 403 || e.status === 404) return null;
    throw e;
  }
}

/** The nodes that sent with each token of a project: sourceId -> [node...]; empty when not readable. */
export async function nodesBySource(projectId) {
  const out = new Map();
  try {
    const r = await api.get(`/v1/projects/${projectId}/ingest/source-nodes`);
    for (const n of r.sourceNodes || []) {
      if (!out.has(n.sourceId)) out.set(n.sourceId, []);
      out.get(n.sourceId).push(n);
    }
  } catch { /* no profile.read: no nodes shown */ }
  return out;
}

/** "serviceaccount:NAME / token NAME" for a replacement, from the organization's tokens. */
export function replacedByCell(replacement, saTokens) {
  if (!replacement) return h('span', { class: 'muted' }, 'not replaced');
  const t = saTokens.find((x) => x.id === replacement.tokenId);
  const sa = replacement.serviceAccountName || (t && t.serviceAccountName) || replacement.serviceAccountId;
  return h('span', { title: `token ${replacement.tokenId}` },
    h('code', {}, `serviceaccount:${sa}`), t ? ` / ${t.name}` : ' / token deleted', ` (${replacement.role})`);
}
