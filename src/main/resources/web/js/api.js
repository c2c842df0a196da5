// A small fetch wrapper: JSON in and out, the session's CSRF token on every state-changing call,
// and errors as ApiError carrying the server's {code, message, field}.

let csrfToken = null;

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `request failed (${status})`);
    this.status = status;
    this.code = body && body.code;
    this.field = body && body.field;
  }
}

export function setCsrf(token) {
  csrfToken = token || null;
}

async function call(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  const text = await res.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = { message: text }; }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    if (res.status === 401 && !path.startsWith('/v1/auth/')) {
      window.dispatchEvent(new CustomEvent('tollgate:unauthenticated'));
    }
    throw err;
  }
  return data || {};
}

export const api = {
  get: (path) => call('GET', path),
  post: (path, body = {}) => call('POST', path, body),
  patch: (path, body = {}) => call('PATCH', path, body),
  del: (path) => call('DELETE', path),
};

/** Query string from an object, skipping empty values. */
export function qs(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') p.set(k, v);
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

const caniCache = new Map();

/** "Can I?" for the logged-in user; cached for the page's lifetime, false on any error. */
export async function can(organizationId, permission, projectId) {
  const key = `${organizationId}|${projectId || ''}|${permission}`;
  if (!caniCache.has(key)) {
    caniCache.set(key, api.post('/api/v1alpha1/authorization/cani', { organizationId, projectId, permission })
      .then((r) => r.allowed === true)
      .catch(() => false));
  }
  return caniCache.get(key);
}

export function forgetPermissions() {
  caniCache.clear();
}

/** The session's CSRF token, for calls made outside this wrapper (queryApi.js). */
export function csrf() {
  return csrfToken;
}
