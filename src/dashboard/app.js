// The console's entry: who the token is (the page shows only the controls it may use), the
// queue and the detail side by side, the health tab, and the live stream feeding both.
import { get, stream } from './api.js';
import { $, esc } from './format.js';
import { createDetail } from './detail.js';
import { renderHealth } from './health.js';
import { createQueue } from './queue.js';

async function main() {
  const me = await get('/api/v1/me');
  let rules = (await get('/api/v1/rules')).items;
  $('me').innerHTML = `${esc(me.name)} <span class="badge ${esc(me.scope)}">${esc(me.scope)}</span>`;
  document.body.dataset.scope = me.scope;
  const detail = createDetail({ me, rules: () => rules, onKey: (key) => queue.filterKey(key) });
  const queue = createQueue({ me, rules, onOpen: (id) => void detail.show(id) });
  await queue.load();
  queue.openInitial();

  let tab = new URLSearchParams(location.search).get('tab') ?? 'queue';
  const showTab = async (name) => {
    tab = name;
    for (const a of document.querySelectorAll('#tabs a')) a.classList.toggle('active', a.dataset.tab === name);
    $('queue-view').hidden = name !== 'queue';
    $('health-view').hidden = name !== 'health';
    const p = new URLSearchParams(location.search);
    if (name === 'queue') p.delete('tab'); else p.set('tab', name);
    history.replaceState(null, '', `?${p}`);
    if (name === 'health') {
      rules = (await get('/api/v1/rules')).items;
      await renderHealth($('health-view'));
    }
  };
  $('tabs').addEventListener('click', (ev) => {
    const a = ev.target.closest('a[data-tab]');
    if (a === null) return;
    ev.preventDefault();
    void showTab(a.dataset.tab);
  });
  if (tab !== 'queue') await showTab(tab);
  setInterval(() => {
    if (tab === 'health') void renderHealth($('health-view'));
  }, 10_000);

  let live = 0;
  stream(
    (a) => {
      live++;
      queue.onNew(a);
      $('status').textContent = `live · ${live} new since opened`;
    },
    (a) => {
      queue.onChanged(a);
      detail.onChanged(a);
    },
    (state) => {
      $('status').textContent = state === 'live' ? `live · ${live} new since opened` : state;
    },
  );
}

main().catch((err) => {
  $('status').textContent = `error: ${err.message}`;
});
