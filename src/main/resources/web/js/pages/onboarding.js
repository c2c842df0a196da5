// Guided set-up for a project: name it, create a service account with the least role for the
// client (agent: system:writer, scraper: system:profile-writer) bound to this project, create
// its token, show the flags, then wait live for the first profile.
import { api } from '../api.js';
import { h, field, time, errorBox, uid } from '../dom.js';
import { tokenReveal, clientSetup, SERVICE_ACCOUNT_NAME_HINT } from '../components.js';

const POLL_MS = 2000;

export async function render(ctx, projectId) {
  const { main } = ctx;
  let project = (await api.get(`/v1/projects/${projectId}`)).project;
  const org = project.organizationId;
  const steps = h('ol', { class: 'wizard' });
  main.append(
    h('h1', {}, 'Connect a client'),
    h('p', { class: 'lead' }, 'A few short steps from here to the first profile. ',
      h('a', { href: `#/projects/${projectId}`, onclick: markDone }, 'Skip set-up')),
    steps);
  let stopped = false;
  let timer = null;
  ctx.onLeave(() => { stopped = true; clearTimeout(timer); });

  function markDone() {
    localStorage.setItem(`tollgate.onboarded.${org}`, '1');
  }

  function step(title) {
    const body = h('div', { class: 'step-body' });
    const li = h('li', { class: 'step' }, h('h2', {}, title), body);
    steps.append(li);
    return body;
  }

  function submitForm(body, fields, label, action) {
    const err = errorBox();
    const btn = h('button', { type: 'submit', class: 'primary' }, label);
    const form = h('form', {}, fields, err.el, h('div', { class: 'actions left' }, btn));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      err.hide();
      btn.disabled = true;
      try {
        await action();
        form.querySelectorAll('input, select, button').forEach((el) => { el.disabled = true; });
      } catch (ex) {
        err.show(ex);
        btn.disabled = false;
      }
    });
    body.append(form);
    const first = form.querySelector('input, select');
    if (first) first.focus();
  }

  // 1. Name the project.
  const s1 = step('Name the project');
  const pname = field('Project name', h('input', { type: 'text', required: true, value: project.name, autocomplete: 'off' }));
  submitForm(s1, [pname.row], 'Continue', async () => {
    const wanted = pname.input.value.trim();
    if (wanted !== project.name) {
      project = (await api.patch(`/v1/projects/${projectId}`, { name: wanted })).project;
      await ctx.refreshProjects();
    }
    stepAccount();
  });

  // 2. A service account with the least role, bound to this project.
  function stepAccount() {
    const body = step('Create a service account for the client');
    const group = uid('kind');
    const radio = (value, label, hint, checked) => {
      const id = uid('r');
      return h('div', { class: 'check' },
        h('input', { type: 'radio', name: group, id, value, checked }),
        h('label', { for: id }, h('strong', {}, label), ' - ', hint));
    };
    const kinds = h('fieldset', {}, h('legend', {}, 'What will send profiles?'),
      radio('agent', 'Parca Agent', 'eBPF agent on each node; gets Writer (profiles and debug info)', true),
      radio('scraper', 'Parca scraper', 'Parca server scraping pprof endpoints; gets Profile Writer (profiles only)', false));
    const slug = project.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'project';
    const saName = field('Service account name', h('input', { type: 'text', required: true, autocomplete: 'off', value: `${slug}-agent` }),
      SERVICE_ACCOUNT_NAME_HINT);
    kinds.addEventListener('change', () => {
      const k = kinds.querySelector('input:checked').value;
      saName.input.value = saName.input.value.replace(/-(agent|scraper)$/, `-${k}`);
    });
    submitForm(body, [kinds, saName.row], 'Create service account', async () => {
      const kind = kinds.querySelector('input:checked').value;
      const role = kind === 'agent' ? 'system:writer' : 'system:profile-writer';
      const sa = (await api.post(`/v1/organizations/${org}/serviceaccounts`, { name: saName.input.value.trim() })).serviceAccount;
      await api.post(`/v1/organizations/${org}/rolebindings`, { subject: `serviceaccount:${sa.name}`, role, projectId });
      body.append(h('p', { class: 'ok', role: 'status' }, 'Created ', h('code', {}, `serviceaccount:${sa.name}`), ' with ',
        h('code', {}, role), ` in ${project.name}.`));
      stepToken(sa, kind);
    });
  }

  // 3. Its token, and the flags with everything filled in.
  function stepToken(sa, kind) {
    const body = step('Create its token');
    const tname = field('Token name', h('input', { type: 'text', required: true, autocomplete: 'off', value: `${kind}-token` }));
    submitForm(body, [tname.row], 'Create token', async () => {
      const t = (await api.post(`/v1/organizations/${org}/serviceaccounts/${sa.id}/tokens`, { name: tname.input.value.trim(), projectId })).token;
      markDone();
      body.append(tokenReveal(t.token));
      const flags = step('Configure the client');
      flags.append(clientSetup(projectId, t.token, kind));
      stepWait(t);
    });
  }

  // 4. Wait for the first profile.
  function stepWait(token) {
    const body = step('Wait for the first profile');
    const status = h('p', { class: 'waiting', role: 'status', 'aria-live': 'polite' },
      h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Waiting for the first profile from this token...');
    body.append(status);
    const poll = async () => {
      if (stopped) return;
      try {
        const stats = await api.get(`/v1/projects/${projectId}/ingest/stats`);
        const src = (stats.sources || []).find((s) => s.sourceId === token.id && s.lastReceived);
        if (src) {
          status.className = 'ok big';
          status.replaceChildren('First profile received at ', time(src.lastReceived), '. ',
            h('a', { href: `#/projects/${projectId}` }, 'See the data arriving'));
          return;
        }
      } catch (e) {
        if (e.status === 404) {
          status.replaceChildren('This server does not report ingestion statistics, so arrival cannot be shown here.');
          return;
        }
      }
      timer = setTimeout(poll, POLL_MS);
    };
    poll();
  }
}
