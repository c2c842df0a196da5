// Organization settings: name, maximum token lifetime, legacy tokens frozen.
import { api, can } from '../api.js';
import { h, field, errorBox } from '../dom.js';

export async function render(ctx, orgId) {
  const { main } = ctx;
  const org = (await api.get(`/v1/organizations/${orgId}`)).organization;
  const editable = await can(orgId, 'organization.update');
  const name = field('Organization name', h('input', { type: 'text', required: true, value: org.name, disabled: !editable }));
  const days = org.settings.maxTokenLifetimeSeconds ? String(org.settings.maxTokenLifetimeSeconds / 86400) : '';
  const lifetime = field('Maximum token lifetime (days)', h('input', { type: 'number', min: '0', step: 'any', value: days, disabled: !editable }),
    'New service-account tokens may not live longer than this. Empty or 0: no limit.');
  const frozenBox = h('input', { type: 'checkbox', id: 'legacy-frozen', checked: !!org.settings.legacyTokensFrozen, disabled: !editable });
  const frozen = h('div', { class: 'field check' }, frozenBox,
    h('label', { for: 'legacy-frozen' }, 'Legacy project tokens frozen'),
    h('p', { class: 'hint' }, 'When frozen, no new legacy project tokens can be created; existing ones keep working until deleted.'));
  const err = errorBox();
  const status = h('p', { class: 'ok', role: 'status' });
  const form = h('form', { class: 'card narrow' }, name.row, lifetime.row, frozen, err.el, status,
    editable ? h('div', { class: 'actions left' }, h('button', { type: 'submit', class: 'primary' }, 'Save')) : null);
  main.append(h('h1', {}, 'Organization settings'), h('p', { class: 'muted' }, 'Id ', h('code', {}, org.id)), form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.hide();
    status.textContent = '';
    try {
      const d = Number(lifetime.input.value || 0);
      await api.patch(`/v1/organizations/${orgId}`, {
        name: name.input.value.trim(),
        maxTokenLifetimeSeconds: Math.round(d * 86400),
        legacyTokensFrozen: frozenBox.checked,
      });
      status.textContent = 'Saved.';
    } catch (ex) { err.show(ex); }
  });
}
