// One alert: what fired and on whom, the case work a token may do (assign, status, resolve with
// a disposition, notes: each recorded under the token's name), the evidence (evidence.js), the
// rule with its description and parameters, the context at that moment, other alerts on the
// same key, why it fired (the explain view), and the activity. Re-rendered when the stream says
// the alert changed, whoever changed it.
import { get, post } from './api.js';
import { $, esc, since, when, zone } from './format.js';
import { evidenceTables, keyValues } from './evidence.js';
import { DISPOSITIONS } from './queue.js';

function activityLine(h) {
  const who = `<b>${esc(h.actor)}</b>`;
  const what = h.kind === 'status' ? `${esc(h.from)} → <b>${esc(h.to)}</b>${h.disposition ? ` as ${esc(h.disposition)}` : ''}`
    : h.kind === 'assign' ? (h.to === null ? 'unassigned it' : `assigned it to <b>${esc(h.to)}</b>`) : 'noted';
  return `<li><span class="muted">${esc(when(h.at))}</span> ${who} ${what}${h.note ? `: ${esc(h.note)}` : ''}</li>`;
}

function caseWork(a, me) {
  if (!me.actions.includes('status')) return '';
  const people = [...new Set([me.name, ...me.people].filter(Boolean))];
  return `<div class="actions" id="case">
      <select id="assignee" aria-label="assign to"><option value="">unassigned</option>${people.map((p) => `<option ${p === a.assignee ? 'selected' : ''}>${esc(p)}</option>`).join('')}</select>
      <button type="button" id="do-assign">Assign</button>
      ${a.status === 'open' ? '<button type="button" id="do-ack">Acknowledge</button>' : ''}
      ${a.status !== 'resolved' ? `<select id="disposition" aria-label="disposition">${DISPOSITIONS.map((d) => `<option>${d}</option>`).join('')}</select><button type="button" id="do-resolve">Resolve</button>` : '<button type="button" id="do-reopen">Reopen</button>'}
    </div>
    <textarea id="note" rows="2" placeholder="Add a note (recorded as ${esc(me.name)})"></textarea>
    <div class="actions"><button type="button" id="do-note">Add note</button><span id="case-error" class="critical"></span></div>`;
}

function ruleSection(rule) {
  if (rule === undefined) return '<p class="muted">rule not loaded here</p>';
  const params = rule.params === null ? '' : `<h3>Parameters (${esc(rule.factory)})</h3>${keyValues(rule.params, 'rule-params')}`;
  const def = rule.definition ?? {};
  const bound = def.within ? `within ${esc(def.within)}` : def.window ? `${esc(def.window.type)} window of ${esc(def.window.length)}` : '';
  return `<p id="rule-description">${esc(rule.description ?? '')}</p>
    <p class="muted">${esc(rule.kind)} on ${esc(def.keySpace ?? '')}, ${bound}, skip ${esc(def.skip ?? '')}; ${esc(rule.source ?? '')}</p>${params}`;
}

function explainView(x) {
  if (!x.reproduced) return `<p class="muted">${esc(x.note ?? 'not reproduced')}</p>`;
  const steps = x.steps.map((s) => s.events.map((e) => `<tr><td>${esc(s.step)}</td><td>${esc(e.kind)} <code>${esc(e.id)}</code></td><td class="checks">${
    e.checks.map((c) => `<span class="${c.result ? 'ok' : 'no'}">${esc(c.label)} ${c.result ? '✓' : '✗'}</span> ${c.reads.map((r) => `<code>${esc(r.path)}=${esc(JSON.stringify(r.value))}</code>`).join(' ')}`).join('<br>')}</td></tr>`).join('')).join('');
  const decision = x.decision === null ? '' : `<h3>Decision</h3>${keyValues(x.decision)}`;
  return `<p class="muted">${esc(x.source ?? '')}</p><table id="explain-steps"><thead><tr><th>step</th><th>event</th><th>predicate and the fields it read</th></tr></thead><tbody>${steps}</tbody></table>${decision}`;
}

export function createDetail({ me, rules, onKey }) {
  let current = null;

  async function act(f) {
    try {
      await f();
      await show(current.id);
    } catch (err) {
      $('case-error').textContent = err.message;
    }
  }

  function wire(a) {
    const on = (id, f) => $(id)?.addEventListener('click', () => void act(f));
    on('do-assign', () => post(`/api/v1/alerts/${a.id}/assign`, { assignee: $('assignee').value || null }));
    on('do-ack', () => post(`/api/v1/alerts/${a.id}/status`, { status: 'acknowledged', note: $('note').value }));
    on('do-resolve', () => post(`/api/v1/alerts/${a.id}/status`, { status: 'resolved', disposition: $('disposition').value, note: $('note').value }));
    on('do-reopen', () => post(`/api/v1/alerts/${a.id}/status`, { status: 'open', note: $('note').value }));
    on('do-note', () => post(`/api/v1/alerts/${a.id}/notes`, { note: $('note').value }));
    $('close-detail').addEventListener('click', () => {
      $('detail').innerHTML = '<p class="hint">Select an alert.</p>';
      current = null;
    });
    $('same-key-all').addEventListener('click', () => onKey(a.key));
    for (const link of document.querySelectorAll('#same-key a[data-id]')) link.addEventListener('click', (ev) => {
      ev.preventDefault();
      void show(link.dataset.id);
    });
    $('do-explain').addEventListener('click', async () => {
      $('explain').innerHTML = '<p class="muted">replaying the key\'s history through the rule…</p>';
      try {
        $('explain').innerHTML = explainView(await get(`/api/v1/alerts/${a.id}/explain`));
      } catch (err) {
        $('explain').innerHTML = `<p class="muted">${esc(err.message)}</p>`;
      }
    });
  }

  async function show(id) {
    const same = current !== null && current.id === id;
    const a = await get(`/api/v1/alerts/${id}`);
    current = a;
    const others = (await get(`/api/v1/alerts?key=${encodeURIComponent(a.key)}&limit=11`).catch(() => ({ items: [] }))).items.filter((x) => x.id !== a.id).slice(0, 10);
    const rule = rules().find((r) => r.id === a.ruleId);
    const detail = $('detail');
    const scrollTop = detail.scrollTop;
    detail.innerHTML = `
      <div class="actions"><h2 style="margin:0;flex:1">Alert <code>${esc(a.id)}</code></h2><button type="button" id="close-detail" aria-label="close">✕</button></div>
      <p><span class="sev ${esc(a.severity)}">${esc(a.severity)}</span> <b>${esc(a.ruleId)}</b> v${esc(a.ruleVersion)} on <b id="detail-key">${esc(a.key)}</b> (${esc(a.keySpace)})
        · <span id="detail-status" class="status-${esc(a.status)}">${esc(a.status)}${a.disposition ? ` (${esc(a.disposition)})` : ''}</span>
        · assignee <b id="detail-assignee">${esc(a.assignee ?? 'nobody')}</b></p>
      <p id="detail-message">${esc(a.message)}</p>
      <p class="muted">detected ${esc(when(a.detectedAtEventTime))} (${esc(zone)}), first event ${esc(when(a.firstEventTime))}, span ${esc(since(a.lastEventTime, a.firstEventTime))}; stored ${esc(when(a.storedAt))}</p>
      ${caseWork(a, me)}
      <h2>Evidence: matched events</h2>${evidenceTables(a)}
      ${Object.keys(a.aggregates).length > 0 ? `<h2>Aggregates at decision time</h2>${keyValues(a.aggregates, 'aggregates')}` : ''}
      <h2>Rule</h2>${ruleSection(rule)}
      <h2>Context at that moment</h2>${keyValues(a.context, 'context')}
      <h2>Other alerts on ${esc(a.key)}</h2><div id="same-key">${others.length === 0 ? '<p class="muted">none</p>'
        : `<ul>${others.map((o) => `<li><a href="#" data-id="${esc(o.id)}">${esc(when(o.detectedAtEventTime))} ${esc(o.ruleId)}</a> <span class="status-${esc(o.status)}">${esc(o.status)}</span></li>`).join('')}</ul>`}
        <button type="button" id="same-key-all">All alerts on this key in the queue</button></div>
      <h2>Why it fired</h2><div id="explain"><button type="button" id="do-explain">Explain: each event's predicate and the fields it read</button></div>
      <h2>Activity</h2><ul class="activity" id="activity">${a.activity.length === 0 ? '<li class="muted">no case work yet</li>' : a.activity.map(activityLine).join('')}</ul>`;
    detail.scrollTop = same ? scrollTop : 0;
    wire(a);
  }

  return {
    show,
    onChanged(a) {
      if (current !== null && current.id === a.id) void show(a.id);
    },
  };
}
