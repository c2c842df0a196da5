// Pieces shared by several pages: the once-only token box, client set-up snippets, role and
// project pickers, and the "grant a role" step.
import { api } from './api.js';
import { h, field, select, copyField, errorBox } from './dom.js';
import { agentFlags, scraperFlags, kubernetes } from './snippets.js';

/** The new token, shown once: read-only, click to copy, with a clear warning. */
export function tokenReveal(secret) {
  return h('div', { class: 'token-reveal' },
    h('p', { class: 'warning', role: 'alert' },
      h('strong', {}, 'Copy this token now. '),
      'It will not be shown again: Tollgate keeps only a hash of it.'),
    copyField('API token', secret, { secret: true }));
}

/** Flags for the agent and the scraper plus a Kubernetes snippet, with token and project filled in. */
export function clientSetup(projectId, token, kind) {
  const tabs = [
    { key: 'agent', label: 'Parca Agent', flags: agentFlags(projectId) },
    { key: 'scraper', label: 'Parca (scraper)', flags: scraperFlags() },
  ].filter((t) => !kind || t.key === kind);
  return h('div', { class: 'client-setup' },
    tabs.map((t) => h('section', { class: 'snippet' },
      h('h3', {}, t.label),
      copyField(`${t.label} flags`, t.flags, { multiline: true }),
      copyField(`Kubernetes Secret and ${t.key === 'agent' ? 'DaemonSet' : 'Deployment'} for ${t.label}`,
        kubernetes(t.key, projectId, token), { multiline: true, rows: 14 }))),
    h('p', { class: 'hint' },
      'Write the token into the file named by the bearer-token flag (the Kubernetes snippet mounts it there). ',
      'The agent\'s projectID header tells Tollgate which project the profiles belong to. ',
      'Parca\'s scraper cannot send headers: give it a token bound to this project (tokens created here are).'));
}

export const SYSTEM_ROLE_HINTS = {
  'system:owner': 'everything',
  'system:viewer': 'read-only',
  'system:writer': 'read + write profiles and debug info (agents)',
  'system:profile-writer': 'write profiles only (scrapers)',
  'system:debuginfo-writer': 'upload debug info only',
};

export function roleLabel(role) {
  const hint = SYSTEM_ROLE_HINTS[role.id];
  return hint ? `${role.name} - ${hint}` : role.name;
}

export async function loadRoles(orgId) {
  return (await api.get(`/v1/organizations/${orgId}/roles`)).roles || [];
}

export function roleSelect(roles, value) {
  return select(roles.map((r) => ({ value: r.id, label: roleLabel(r) })), value);
}

export function projectSelect(projects, value, noneLabel = 'All projects of the organization') {
  return select([{ value: '', label: noneLabel }, ...projects.map((p) => ({ value: p.id, label: p.name }))], value);
}

export function projectName(projects, id) {
  if (!id) return h('span', { class: 'muted' }, 'all projects');
  const p = projects.find((x) => x.id === id);
  return p ? p.name : id;
}

/**
 * What a binding applies to: the service account its entity names (within its project or the
 * whole organization), else its project by name (id on hover), else the whole organization.
 */
export function bindingEntity(projects, b) {
  const where = () => {
    if (!b.projectId) return h('span', { class: 'muted' }, 'whole organization');
    const p = projects.find((x) => x.id === b.projectId);
    return h('span', { title: `project ${b.projectId}` }, p ? p.name : b.projectId);
  };
  if (b.entity && b.entity.startsWith('serviceaccount:')) {
    return h('span', { title: b.entity }, 'service account ', h('code', {}, b.entity.slice('serviceaccount:'.length)),
      h('br'), h('span', { class: 'muted small' }, 'in '), where());
  }
  if (b.entity) return h('span', {}, h('code', {}, b.entity), h('br'), where());
  return where();
}

/** Role + optional project for a subject; onDone(binding) after it is created. */
export function bindRoleForm(orgId, subject, roles, projects, onDone, opts = {}) {
  const role = field('Role', roleSelect(roles, opts.role || 'system:profile-writer'));
  const project = field('Project', projectSelect(projects, opts.projectId || ''),
    'Leave at "All projects" to grant the role organization-wide.');
  const err = errorBox();
  const submit = h('button', { type: 'submit', class: 'primary' }, opts.submitLabel || 'Grant role');
  const form = h('form', { class: 'bind-form' },
    h('p', {}, 'Grant ', h('code', {}, subject), ' a role:'),
    role.row, project.row, err.el,
    h('div', { class: 'actions' },
      opts.onSkip ? h('button', { type: 'button', onclick: opts.onSkip }, opts.skipLabel || 'Skip') : null,
      submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.hide();
    submit.disabled = true;
    try {
      const r = await api.post(`/v1/organizations/${orgId}/rolebindings`, {
        subject, role: role.input.value, projectId: project.input.value || undefined,
      });
      onDone(r.roleBinding);
    } catch (ex) {
      err.show(ex);
      submit.disabled = false;
    }
  });
  return form;
}

/** The service-account name rule, as the server words it (Names.serviceAccountName). */
export const SERVICE_ACCOUNT_NAME_HINT = '1-63 lowercase letters, digits and hyphens, e.g. production-scraper.';

/**
 * A token's expiry: presets (no expiry, 30 days, 90 days) or a custom date, with one hint.
 * `.row` goes into a form; `.value()` is RFC 3339 or undefined.
 */
export function expiryField() {
  const preset = select([
    { value: '', label: 'No expiry' },
    { value: '30', label: '30 days' },
    { value: '90', label: '90 days' },
    { value: 'custom', label: 'Custom date...' },
  ], '');
  const f = field('Expires', preset,
    'If the organization sets a maximum token lifetime, a longer or missing expiry is refused.');
  const custom = field('Expiry date', h('input', { type: 'datetime-local' }));
  const sync = () => { custom.row.hidden = preset.value !== 'custom'; custom.input.required = !custom.row.hidden; };
  preset.addEventListener('change', sync);
  sync();
  return {
    row: h('div', {}, f.row, custom.row),
    input: preset,
    value() {
      if (preset.value === 'custom') return isoOrUndefined(custom.input.value);
      if (!preset.value) return undefined;
      return new Date(Date.now() + Number(preset.value) * 86400000).toISOString();
    },
  };
}

/** A datetime-local value as RFC 3339, or undefined. */
export function isoOrUndefined(localValue) {
  return localValue ? new Date(localValue).toISOString() : undefined;
}
