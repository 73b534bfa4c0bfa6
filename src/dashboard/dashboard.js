// Dashboard logic: fetch alerts, rules and latency from the API; follow new alerts over SSE.
const token = new URLSearchParams(location.search).get('token') ?? '';
const headers = { authorization: `Bearer ${token}` };
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const api = async (path) => {
  const r = await fetch(path, { headers });
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return r.json();
};

function alertRow(a) {
  const tr = document.createElement('tr');
  tr.className = 'alert';
  tr.dataset.id = a.id;
  tr.innerHTML = `<td class="sev ${esc(a.severity)}">${esc(a.severity)}</td><td>${esc(a.ruleId)}</td><td>${esc(a.key)}</td><td>${esc(a.message)}</td><td>${esc(a.status)}</td>`;
  tr.addEventListener('click', () => showAlert(a.id));
  return tr;
}

async function showAlert(id) {
  const a = await api(`/api/v1/alerts/${id}`);
  const steps = a.matched.map((s) => `<tr><th>${esc(s.step)}</th><td>${s.events.map((m) =>
    `${esc(m.event.kind)} <code>${esc(m.event.id)}</code> ${new Date(m.event.ts).toISOString()}${m.source ? ` <small>${esc(m.source.topic)}/${m.source.partition}@${esc(m.source.offset)}</small>` : ''}`).join('<br>')}</td></tr>`).join('');
  $('detail').innerHTML = `<h2>Alert <code>${esc(a.id)}</code></h2>
    <p><span class="sev ${esc(a.severity)}">${esc(a.severity)}</span> <b>${esc(a.ruleId)}</b> v${a.ruleVersion} on <b>${esc(a.key)}</b> (${esc(a.keySpace)}), ${esc(a.status)}</p>
    <p>${esc(a.message)}</p><h2>Chain of events</h2><table id="chain">${steps}</table>
    ${Object.keys(a.aggregates).length ? `<h2>Aggregates</h2><pre>${esc(JSON.stringify(a.aggregates, null, 2))}</pre>` : ''}
    <h2>Context at that moment</h2><pre>${esc(JSON.stringify(a.context, null, 2))}</pre>
    <h2>History</h2><pre>${esc(a.history.map((h) => `${new Date(h.at).toISOString()} ${h.actor}: ${h.from} → ${h.to} ${h.note}`).join('\n') || 'no status change yet')}</pre>`;
}

async function refreshRules() {
  const { items } = await api('/api/v1/rules');
  $('rules').innerHTML = items.map((r) => `<tr><td>${esc(r.id)}</td><td>${r.alerts}</td><td>${r.eventsSeen}</td><td>${r.errors}</td><td>${r.enabled ? 'yes' : 'no'}</td></tr>`).join('');
  const withLatency = items.filter((r) => r.latencyUs);
  const max = Math.max(1, ...withLatency.map((r) => r.latencyUs.p99));
  $('latency').innerHTML = withLatency.length === 0 ? '<p>No alert yet.</p>' : `<svg width="100%" height="${withLatency.length * 22 + 10}" viewBox="0 0 420 ${withLatency.length * 22 + 10}">${
    withLatency.map((r, i) => `<text x="0" y="${i * 22 + 15}" font-size="11">${esc(r.id)}</text>
      <rect x="150" y="${i * 22 + 4}" width="${(r.latencyUs.p99 / max) * 240}" height="14" fill="#9ecae1"/>
      <rect x="150" y="${i * 22 + 4}" width="${(r.latencyUs.p50 / max) * 240}" height="14" fill="#3182bd"/>
      <text x="395" y="${i * 22 + 15}" font-size="10" text-anchor="end">${r.latencyUs.p50} / ${r.latencyUs.p99}</text>`).join('')}</svg>`;
}

async function main() {
  const { items } = await api('/api/v1/alerts?limit=100');
  const tbody = $('alerts');
  for (const a of items) tbody.append(alertRow(a));
  await refreshRules();
  const es = new EventSource(`/api/v1/alerts/stream?token=${encodeURIComponent(token)}`);
  es.addEventListener('open', () => { $('status').textContent = `live, ${tbody.children.length} alerts`; });
  es.addEventListener('alert', (ev) => {
    tbody.prepend(alertRow(JSON.parse(ev.data)));
    $('status').textContent = `live, ${tbody.children.length} alerts`;
  });
  es.addEventListener('error', () => { $('status').textContent = 'reconnecting…'; });
  setInterval(refreshRules, 5000);
}

main().catch((err) => { $('status').textContent = `error: ${err.message}`; });
