// The console: session bootstrap, layout and a small hash router (#/...).
import { api, setCsrf, forgetPermissions } from './api.js';
import { h, clear } from './dom.js';
import * as login from './pages/login.js';
import * as projects from './pages/projects.js';
import * as overview from './pages/overview.js';
import * as projectSettings from './pages/projectSettings.js';
import * as onboarding from './pages/onboarding.js';
import * as serviceAccounts from './pages/serviceAccounts.js';
import * as serviceAccount from './pages/serviceAccount.js';
import * as roleBindings from './pages/roleBindings.js';
import * as roles from './pages/roles.js';
import * as members from './pages/members.js';
import * as invites from './pages/invites.js';
import * as invite from './pages/invite.js';
import * as audit from './pages/audit.js';
import * as orgSettings from './pages/orgSettings.js';
import * as migration from './pages/migration.js';
import * as explorer from './pages/explorer.js';
import { changePasswordDialog } from './password.js';

const ORG = '#/orgs/([^/]+)';
const PROJECT = '#/projects/([^/]+)';

// [pattern, page module, section of the side navigation]
const routes = [
  [`^${ORG}/projects$`, projects, 'projects'],
  [`^${PROJECT}$`, overview, 'project'],
  [`^${PROJECT}/settings$`, projectSettings, 'project-settings'],
  [`^${PROJECT}/settings/migrated$`, projectSettings, 'project-settings', 'migrated'],
  [`^${PROJECT}/onboarding$`, onboarding, 'project'],
  [`^${PROJECT}/explore$`, explorer, 'explore'],
  [`^${ORG}/iam/serviceaccounts$`, serviceAccounts, 'serviceaccounts'],
  [`^${ORG}/iam/serviceaccounts/([^/]+)$`, serviceAccount, 'serviceaccounts'],
  [`^${ORG}/iam/rolebindings$`, roleBindings, 'rolebindings'],
  [`^${ORG}/iam/roles$`, roles, 'roles'],
  [`^${ORG}/iam/members$`, members, 'members'],
  [`^${ORG}/iam/invites$`, invites, 'invites'],
  [`^${ORG}/iam/audit$`, audit, 'audit'],
  [`^${ORG}/settings$`, orgSettings, 'settings'],
  [`^${ORG}/migration$`, migration, 'migration'],
].map(([p, page, section, variant]) => ({ re: new RegExp(p), page, section, variant }));

const state = {
  me: null, // {user, organizations, csrfToken}
  org: null, // current organization
  projects: [],
  cleanups: [],
};

const main = document.getElementById('main');
const top = document.getElementById('top');
const side = document.getElementById('side');

export function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

async function loadSession() {
  try {
    const me = await api.get('/v1/auth/me');
    state.me = me;
    setCsrf(me.csrfToken);
    const orgs = me.organizations || [];
    const wanted = sessionStorage.getItem('tollgate.org');
    state.org = orgs.find((o) => o.id === wanted) || orgs[0] || null;
    await refreshProjects();
    return true;
  } catch {
    state.me = null;
    setCsrf(null);
    return false;
  }
}

async function refreshProjects() {
  try {
    state.projects = state.org
      ? (await api.get(`/v1/organizations/${encodeURIComponent(state.org.id)}/projects`)).projects || []
      : [];
  } catch (e) {
    if (e.status !== 403) throw e;
    state.projects = []; // a member without any project access still gets the console
  }
  return state.projects;
}

async function logout() {
  try { await api.post('/v1/auth/logout'); } catch { /* the session may be gone already */ }
  state.me = null;
  setCsrf(null);
  forgetPermissions();
  navigate('#/login');
}

function renderChrome(section, projectId) {
  top.hidden = false;
  side.hidden = false;
  const orgs = state.me.organizations || [];
  const orgPicker = orgs.length > 1
    ? h('select', {
      'aria-label': 'Organization',
      onchange: (e) => {
        sessionStorage.setItem('tollgate.org', e.target.value);
        state.org = orgs.find((o) => o.id === e.target.value);
        refreshProjects().then(() => navigate(`#/orgs/${state.org.id}/projects`));
      },
    }, orgs.map((o) => {
      const opt = h('option', { value: o.id }, o.name);
      if (state.org && o.id === state.org.id) opt.selected = true;
      return opt;
    }))
    : h('span', { class: 'org-name' }, state.org ? state.org.name : 'no organization');
  clear(top).append(
    h('a', { class: 'brand', href: state.org ? `#/orgs/${state.org.id}/projects` : '#/' }, 'Tollgate'),
    orgPicker,
    h('span', { class: 'spacer' }),
    h('span', { class: 'who' }, state.me.user ? state.me.user.email : state.me.subject),
    state.me.user ? h('button', { type: 'button', class: 'link', onclick: changePasswordDialog }, 'Change password') : null,
    h('button', { type: 'button', class: 'link', onclick: logout }, 'Log out'));

  const link = (href, label, key) => h('a', { href, 'aria-current': key === section ? 'page' : null }, label);
  const org = state.org ? state.org.id : '';
  clear(side);
  side.append(
    h('h2', {}, 'Projects'),
    h('ul', {}, [
      ...state.projects.map((p) => h('li', {},
        h('a', { href: `#/projects/${p.id}`, 'aria-current': p.id === projectId && section === 'project' ? 'page' : null }, p.name),
        p.id === projectId
          ? h('ul', {}, h('li', {}, h('a', {
            href: `#/projects/${p.id}/explore`,
            'aria-current': section === 'explore' ? 'page' : null,
          }, 'Explore')), h('li', {}, h('a', {
            href: `#/projects/${p.id}/settings`,
            'aria-current': section === 'project-settings' ? 'page' : null,
          }, 'Settings')))
          : null)),
      h('li', {}, link(`#/orgs/${org}/projects`, 'All projects', 'projects')),
    ]),
    h('h2', {}, 'Identity & Access'),
    h('ul', {},
      h('li', {}, link(`#/orgs/${org}/iam/serviceaccounts`, 'Service Accounts', 'serviceaccounts')),
      h('li', {}, link(`#/orgs/${org}/iam/rolebindings`, 'Role Bindings', 'rolebindings')),
      h('li', {}, link(`#/orgs/${org}/iam/roles`, 'Roles', 'roles')),
      h('li', {}, link(`#/orgs/${org}/iam/members`, 'Members', 'members')),
      h('li', {}, link(`#/orgs/${org}/iam/invites`, 'Invites', 'invites')),
      h('li', {}, link(`#/orgs/${org}/iam/audit`, 'Audit log', 'audit'))),
    h('h2', {}, 'Organization'),
    h('ul', {}, h('li', {}, link(`#/orgs/${org}/settings`, 'Settings', 'settings')),
      h('li', {}, link(`#/orgs/${org}/migration`, 'Legacy token migration', 'migration'))));
}

function runCleanups() {
  for (const c of state.cleanups.splice(0)) {
    try { c(); } catch { /* ignore */ }
  }
}

async function route() {
  runCleanups();
  const hash = location.hash || '#/';
  const inviteLink = /^#\/invite\/([0-9a-f]+)$/.exec(hash);
  if (inviteLink) {
    // Opened from an invite link: no session needed, but a logged-in browser must send its
    // session's CSRF token with the accept call, so load the session if there is one.
    if (!state.me) await loadSession();
    top.hidden = true;
    side.hidden = true;
    clear(main);
    await invite.render({ main, onLoggedIn }, inviteLink[1]);
    return;
  }
  if (hash === '#/login' || !state.me) {
    if (hash !== '#/login' && await loadSession()) return route();
    top.hidden = true;
    side.hidden = true;
    clear(main);
    login.render({ main, onLoggedIn });
    return;
  }
  if (!state.org) {
    clear(main).append(h('h1', {}, 'No organization'), h('p', {}, 'You are not a member of any organization yet. Ask an owner for an invite.'));
    return;
  }
  const match = routes.map((r) => ({ r, m: r.re.exec(hash) })).find((x) => x.m);
  if (!match) {
    navigate(`#/orgs/${state.org.id}/projects`);
    return;
  }
  const params = match.m.slice(1).map(decodeURIComponent);
  const isProject = hash.startsWith('#/projects/');
  if (!isProject && params[0] !== state.org.id) {
    const other = (state.me.organizations || []).find((o) => o.id === params[0]);
    if (other) {
      state.org = other;
      await refreshProjects();
    }
  }
  renderChrome(match.r.section, isProject ? params[0] : null);
  // Each visit renders into its own element: a page still loading when the user moves on
  // appends into its detached element, never onto the next page.
  const view = h('div', { class: 'view' });
  clear(main).append(view);
  const ctx = {
    main: view,
    me: state.me,
    org: state.org,
    projects: state.projects,
    variant: match.r.variant,
    navigate,
    refreshProjects: async () => {
      await refreshProjects();
      ctx.projects = state.projects;
      renderChrome(match.r.section, isProject ? params[0] : null);
      return state.projects;
    },
    // Pages register timers etc. to stop when the user leaves.
    onLeave: (fn) => state.cleanups.push(fn),
  };
  try {
    await match.r.page.render(ctx, ...params);
  } catch (e) {
    view.append(h('p', { class: 'error', role: 'alert' }, e.message || String(e)));
  }
  if (view.isConnected) {
    document.title = `${(view.querySelector('h1') || {}).textContent || 'Tollgate'} - Tollgate`;
  }
}

async function onLoggedIn(result) {
  setCsrf(result.csrfToken);
  forgetPermissions();
  await loadSession();
  // First login into an organization without any service account: the guided set-up.
  if (state.org && state.projects.length && !localStorage.getItem(`tollgate.onboarded.${state.org.id}`)) {
    try {
      const sas = await api.get(`/v1/organizations/${state.org.id}/serviceaccounts`);
      if ((sas.serviceAccounts || []).length === 0) {
        navigate(`#/projects/${state.projects[0].id}/onboarding`);
        return;
      }
    } catch { /* not allowed to list: no onboarding */ }
  }
  navigate(state.org ? `#/orgs/${state.org.id}/projects` : '#/');
}

window.addEventListener('hashchange', route);
window.addEventListener('tollgate:unauthenticated', () => {
  state.me = null;
  navigate('#/login');
});
route();
