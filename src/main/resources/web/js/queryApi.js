// Parca's parca.query.v1alpha1.QueryService from the browser: Armeria's unframed JSON mapping
// (POST /parca.query.v1alpha1.QueryService/<Method>, proto3 JSON both ways), authorized by the
// console session cookie plus its CSRF header, in the project named by the projectid header.
import { ApiError, csrf } from './api.js';

const PATH = '/parca.query.v1alpha1.QueryService/';

async function call(projectId, method, body) {
  const headers = { 'content-type': 'application/json', accept: 'application/json', projectid: projectId };
  const token = csrf();
  if (token) headers['x-csrf-token'] = token;
  const res = await fetch(PATH + method, {
    method: 'POST', headers, credentials: 'same-origin', body: JSON.stringify(body || {}),
  });
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = { message: text }; }
  }
  if (!res.ok) {
    const message = (data && data.message) || res.headers.get('grpc-message') || `query failed (${res.status})`;
    const err = new ApiError(res.status, { message, code: data && data['grpc-code'] });
    if (res.status === 401) window.dispatchEvent(new CustomEvent('tollgate:unauthenticated'));
    throw err;
  }
  return data || {};
}

/** QueryService calls for one project; times are Date or ms, sent as RFC 3339. */
export function queryClient(projectId) {
  const ts = (t) => new Date(t).toISOString();
  return {
    profileTypes: (from, to) => call(projectId, 'ProfileTypes', { start: ts(from), end: ts(to) }),
    labels: (match, from, to) => call(projectId, 'Labels', { match, start: ts(from), end: ts(to) }),
    values: (labelName, match, from, to) => call(projectId, 'Values', { labelName, match, start: ts(from), end: ts(to) }),
    /** Without stepSeconds one point per stored profile, else one per step bucket. */
    queryRange: (query, from, to, stepSeconds) => call(projectId, 'QueryRange', {
      query, start: ts(from), end: ts(to), step: stepSeconds ? `${stepSeconds}s` : undefined,
    }),
    /** selection: {mode: 'merge', query, from, to} or {mode: 'single', query, time}. */
    query: (selection, reportType) => call(projectId, 'Query', selection.mode === 'single'
      ? { mode: 'MODE_SINGLE_UNSPECIFIED', single: { query: selection.query, time: selection.exactTime || ts(selection.time) }, reportType }
      : { mode: 'MODE_MERGE', merge: { query: selection.query, start: ts(selection.from), end: ts(selection.to) }, reportType }),
  };
}
