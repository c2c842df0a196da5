// Identity & Access -> Roles: system roles and their permissions; custom roles from the catalogue.
import { api, can } from '../api.js';
import { h, field, errorBox, formDialog, confirmDialog, uid } from '../dom.js';
import { SYSTEM_ROLE_HINTS } from '../components.js';

export async function render(ctx, orgId) {
  const { main } = ctx;
  const base = `/v1/organizations/${orgId}/roles`;
  const [canCreate, canDelete] = await Promise.all([can(orgId, 'role.create'), can(orgId, 'role.delete')]);
  const notice = errorBox();
  const systemEl = h('div');
  const customEl = h('div');
  main.append(
    h('div', { class: 'page-head' },
      h('h1', {}, 'Roles'),
      canCreate ? h('button', { type: 'button', class: 'primary', onclick: create }, 'Create Role') : null),
    notice.el,
    h('section', {}, h('h2', {}, 'System roles'), systemEl),
    h('section', {}, h('h2', {}, 'Custom roles'), customEl));

  const perms = (list) => h('ul', { class: 'perms' }, list.map((p) => h('li', {}, h('code', {}, p))));
  const roleCard = (r) => h('article', { class: 'role' },
    h('div', { class: 'section-head' },
      h('h3', {}, r.name, ' ', h('code', { class: 'muted' }, r.id)),
      !r.isSystem && canDelete ? h('button', { type: 'button', class: 'small danger', onclick: () => remove(r) }, 'Delete') : null),
    SYSTEM_ROLE_HINTS[r.id] ? h('p', { class: 'hint' }, SYSTEM_ROLE_HINTS[r.id]) : null,
    r.id === 'system:owner' ? h('p', { class: 'muted' }, 'All permissions.') : perms(r.permissions));

  async function load() {
    const roles = (await api.get(base)).roles || [];
    const system = roles.filter((r) => r.isSystem);
    const custom = roles.filter((r) => !r.isSystem);
    systemEl.replaceChildren(...system.map(roleCard));
    customEl.replaceChildren(...(custom.length ? custom.map(roleCard) : [h('p', { class: 'empty' }, 'No custom roles.')]));
  }

  async function remove(r) {
    if (!await confirmDialog(`Delete role ${r.name}?`, 'Bindings to this role must be deleted first.')) return;
    notice.hide();
    try {
      await api.del(`${base}/${encodeURIComponent(r.id)}`);
      await load();
    } catch (e) { notice.show(e); }
  }

  async function create() {
    const catalogue = (await api.get('/v1/permissions')).permissions || [];
    const name = field('Name', h('input', { type: 'text', required: true, autocomplete: 'off', placeholder: 'ci-uploader' }),
      '1-63 lowercase letters, digits and hyphens, starting with a letter or digit.');
    const groups = new Map();
    for (const p of catalogue) {
      const g = p.split('.')[0];
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g).push(p);
    }
    const boxes = [];
    const fieldset = h('fieldset', { class: 'perm-picker' }, h('legend', {}, 'Permissions'),
      [...groups.entries()].map(([g, list]) => h('div', { class: 'perm-group' }, h('h4', {}, g),
        list.map((p) => {
          const id = uid('perm');
          const box = h('input', { type: 'checkbox', id, value: p });
          boxes.push(box);
          return h('div', { class: 'check' }, box, h('label', { for: id }, p));
        }))));
    formDialog('Create Role', [name, { row: fieldset }], 'Create', async (close) => {
      await api.post(base, { name: name.input.value.trim(), permissions: boxes.filter((b) => b.checked).map((b) => b.value) });
      close();
      await load();
    });
  }

  await load();
}
