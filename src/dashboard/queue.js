// The triage queue: filters (rules, severities and statuses several at once, assignee, key, a
// time range, free text), sortable columns, cursor paging with the count, the view kept in the
// URL (so a view is a link; saved views keep such links by name), bulk acknowledge / resolve
// for tokens that may, and live updates: a new alert that matches shows at once on the first
// page of the newest-first view (else a "N new" button), a changed alert updates its row.
import { get, post } from './api.js';
import { $, esc, when } from './format.js';

const SEVERITIES = ['critical', 'high', 'medium', 'low'];
const STATUSES = ['open', 'acknowledged', 'resolved'];
export const DISPOSITIONS = ['true-positive', 'false-positive', 'benign', 'duplicate', 'inconclusive'];
const LISTS = ['rule', 'severity', 'status'];
const FIELDS = ['rule', 'severity', 'status', 'assignee', 'key', 'q', 'from', 'to', 'sort', 'order'];
const COLUMNS = [
  ['severity', 'severity', true], ['rule', 'rule', true], ['key', 'key', true], ['message', 'message', false],
  ['detected', 'detected', true], ['status', 'status', true], ['assignee', 'assignee', true],
];
const PAGE = 25;

/** The view in the URL: lists comma-separated, as the API takes them. */
export function readView() {
  const p = new URLSearchParams(location.search);
  const v = {};
  for (const f of FIELDS) v[f] = LISTS.includes(f) ? (p.get(f) ?? '').split(',').filter(Boolean) : p.get(f) ?? '';
  return v;
}

function writeView(v, extra = {}) {
  const p = new URLSearchParams(location.search);
  for (const f of FIELDS) {
    const val = LISTS.includes(f) ? v[f].join(',') : v[f];
    if (val === '') p.delete(f); else p.set(f, val);
  }
  for (const [k, val] of Object.entries(extra)) if (val === '' || val === undefined) p.delete(k); else p.set(k, val);
  history.replaceState(null, '', `?${p}`);
}

const localMs = (s) => (s === '' ? '' : String(new Date(s).getTime()));

function apiQuery(v, cursor) {
  const q = new URLSearchParams({ limit: String(PAGE) });
  for (const f of FIELDS) {
    const val = LISTS.includes(f) ? v[f].join(',') : (f === 'from' || f === 'to' ? localMs(v[f]) : v[f]);
    if (val !== '') q.set(f, val);
  }
  if (cursor) q.set('cursor', cursor);
  return q;
}

/** Whether a summary belongs to the view (what the server filters, checked on live alerts). */
function matches(v, a) {
  const words = v.q.toLowerCase().split(/\s+/).filter(Boolean);
  const hay = `${a.message} ${a.key}`.toLowerCase();
  return (v.rule.length === 0 || v.rule.includes(a.ruleId)) && (v.severity.length === 0 || v.severity.includes(a.severity))
    && (v.status.length === 0 || v.status.includes(a.status)) && (v.key === '' || v.key === a.key)
    && (v.assignee === '' || (v.assignee === '-' ? a.assignee === null : a.assignee === v.assignee))
    && words.every((w) => hay.includes(w))
    && (v.from === '' || a.detectedAtEventTime >= Number(localMs(v.from))) && (v.to === '' || a.detectedAtEventTime <= Number(localMs(v.to)));
}

export function createQueue({ me, rules, onOpen }) {
  const canBulk = me.actions.includes('bulk-status');
  let view = readView();
  let cursors = [null];
  let page = 0;
  let next = null;
  let total = 0;
  let pending = 0;
  const selected = new Set();
  let openId = new URLSearchParams(location.search).get('alert') ?? '';

  function chips(id, values) {
    $(id).innerHTML = values.map((s) => `<label class="${esc(s)}"><input type="checkbox" value="${esc(s)}">${esc(s)}</label>`).join('');
  }
  chips('f-severity', SEVERITIES);
  chips('f-status', STATUSES);
  $('f-rules').querySelector('.menu').innerHTML = rules.map((r) => `<label><input type="checkbox" value="${esc(r.id)}"> ${esc(r.id)}</label>`).join('');
  $('f-assignee').innerHTML = `<option value="">anyone</option><option value="-">unassigned</option>${me.name ? `<option value="${esc(me.name)}">me (${esc(me.name)})</option>` : ''}${
    me.people.filter((p) => p !== me.name).map((p) => `<option value="${esc(p)}">${esc(p)}</option>`).join('')}`;
  $('bulk-disposition').innerHTML = DISPOSITIONS.map((d) => `<option>${d}</option>`).join('');
  $('alerts-head').innerHTML = (canBulk ? '<th><input type="checkbox" id="select-all" aria-label="select all on this page"></th>' : '')
    + COLUMNS.map(([field, label, sortable]) => `<th data-field="${field}"${sortable ? ' class="sortable"' : ''}>${label}</th>`).join('');

  function showView() {
    $('f-q').value = view.q;
    $('f-key').value = view.key;
    $('f-assignee').value = view.assignee;
    $('f-from').value = view.from;
    $('f-to').value = view.to;
    for (const [id, list] of [['f-severity', view.severity], ['f-status', view.status], ['f-rules', view.rule]]) {
      for (const box of $(id).querySelectorAll('input')) box.checked = list.includes(box.value);
    }
    $('f-rules').querySelector('summary span').textContent = view.rule.length === 0 ? 'all' : view.rule.join(', ');
    const sort = view.sort || 'detected';
    for (const th of document.querySelectorAll('#alerts-head th[data-field]')) {
      if (th.dataset.field === sort) th.setAttribute('aria-sort', (view.order || (['rule', 'key', 'status', 'assignee'].includes(sort) ? 'asc' : 'desc')) === 'asc' ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    }
  }

  function row(a) {
    const tr = document.createElement('tr');
    tr.className = `alert${a.id === openId ? ' selected' : ''}`;
    tr.dataset.id = a.id;
    tr.innerHTML = (canBulk ? `<td><input type="checkbox" class="pick" aria-label="select" ${selected.has(a.id) ? 'checked' : ''}></td>` : '')
      + `<td class="sev ${esc(a.severity)}">${esc(a.severity)}</td><td>${esc(a.ruleId)}</td><td class="key">${esc(a.key)}</td><td class="message">${esc(a.message)}</td>`
      + `<td class="when" title="${esc(new Date(a.detectedAtEventTime).toISOString())}">${esc(when(a.detectedAtEventTime))}</td>`
      + `<td class="status status-${esc(a.status)}">${esc(a.status)}${a.disposition ? ` <span class="muted">(${esc(a.disposition)})</span>` : ''}</td><td class="assignee">${esc(a.assignee ?? '')}</td>`;
    tr.addEventListener('click', (ev) => {
      if (ev.target.classList.contains('pick')) {
        if (ev.target.checked) selected.add(a.id); else selected.delete(a.id);
        showBulk();
        return;
      }
      open(a.id);
    });
    return tr;
  }

  function showBulk() {
    $('bulk').hidden = !canBulk || selected.size === 0;
    $('bulk-count').textContent = `${selected.size} selected`;
  }

  function showRange(count) {
    const first = page * PAGE + (count > 0 ? 1 : 0);
    $('range').textContent = `${first}–${page * PAGE + count} of ${total}`;
    $('prev').disabled = page === 0;
    $('next').disabled = next === null;
  }

  async function load() {
    writeView(view);
    showView();
    const r = await get(`/api/v1/alerts?${apiQuery(view, cursors[page])}`);
    next = r.nextCursor;
    total = r.total;
    pending = 0;
    $('live-note').hidden = true;
    $('alerts').replaceChildren(...r.items.map(row));
    showRange(r.items.length);
  }

  function reset() {
    cursors = [null];
    page = 0;
    selected.clear();
    showBulk();
    return load();
  }

  function open(id) {
    openId = id;
    writeView(view, { alert: id });
    for (const tr of document.querySelectorAll('tr.alert')) tr.classList.toggle('selected', tr.dataset.id === id);
    onOpen(id);
  }

  // ---- controls
  const form = $('filters');
  let typing;
  form.addEventListener('input', (ev) => {
    if (ev.target.closest('#views')) return;
    view.q = $('f-q').value.trim();
    view.key = $('f-key').value.trim();
    view.assignee = $('f-assignee').value;
    view.from = $('f-from').value;
    view.to = $('f-to').value;
    view.severity = [...$('f-severity').querySelectorAll('input:checked')].map((b) => b.value);
    view.status = [...$('f-status').querySelectorAll('input:checked')].map((b) => b.value);
    view.rule = [...$('f-rules').querySelectorAll('input:checked')].map((b) => b.value);
    clearTimeout(typing);
    typing = setTimeout(reset, ev.target.type === 'search' || ev.target.id === 'f-key' ? 250 : 0);
  });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  $('f-clear').addEventListener('click', () => {
    view = Object.fromEntries(FIELDS.map((f) => [f, LISTS.includes(f) ? [] : '']));
    void reset();
  });
  $('alerts-head').addEventListener('click', (ev) => {
    const th = ev.target.closest('th.sortable');
    if (th === null) {
      if (ev.target.id === 'select-all') {
        for (const box of document.querySelectorAll('#alerts .pick')) {
          box.checked = ev.target.checked;
          if (box.checked) selected.add(box.closest('tr').dataset.id); else selected.delete(box.closest('tr').dataset.id);
        }
        showBulk();
      }
      return;
    }
    const field = th.dataset.field;
    const current = th.getAttribute('aria-sort');
    view.sort = field;
    view.order = current === null ? (['rule', 'key', 'status', 'assignee'].includes(field) ? 'asc' : 'desc') : current === 'descending' ? 'asc' : 'desc';
    void reset();
  });
  $('next').addEventListener('click', () => {
    cursors[page + 1] = next;
    page++;
    void load();
  });
  $('prev').addEventListener('click', () => {
    page = Math.max(0, page - 1);
    void load();
  });
  $('live-show').addEventListener('click', () => void reset());
  const bulk = async (status) => {
    const body = { ids: [...selected], status, ...(status === 'resolved' ? { disposition: $('bulk-disposition').value } : {}) };
    const r = await post('/api/v1/alerts/status', body);
    $('status').textContent = `${status}: ${r.changed.length} changed${r.skipped.length > 0 ? `, ${r.skipped.length} skipped (already ${status})` : ''}`;
    selected.clear();
    await load();
    showBulk();
  };
  $('bulk-ack').addEventListener('click', () => void bulk('acknowledged'));
  $('bulk-resolve').addEventListener('click', () => void bulk('resolved'));

  // ---- saved views: named links to views of the queue, kept in this browser
  const VIEWS = 'cepheus.views';
  const saved = () => JSON.parse(localStorage.getItem(VIEWS) ?? '{}');
  const showSaved = () => {
    const views = saved();
    $('views-list').innerHTML = Object.keys(views).length === 0 ? '<p class="muted">none yet</p>'
      : Object.entries(views).map(([name, q]) => `<a href="?${esc(q)}" class="view">${esc(name)}</a>`).join('<br>');
  };
  $('view-save').addEventListener('click', () => {
    const name = window.prompt('Name this view');
    if (!name) return;
    const p = new URLSearchParams(location.search);
    p.delete('alert');
    localStorage.setItem(VIEWS, JSON.stringify({ ...saved(), [name]: p.toString() }));
    showSaved();
  });
  showSaved();

  return {
    load,
    openInitial: () => (openId === '' ? undefined : open(openId)),
    filterKey: (key) => {
      view = { ...Object.fromEntries(FIELDS.map((f) => [f, LISTS.includes(f) ? [] : ''])), key };
      return reset();
    },
    onNew(a) {
      if (!matches(view, a)) return;
      total++;
      const newestFirst = (view.sort === '' || view.sort === 'detected') && view.order !== 'asc';
      if (page === 0 && newestFirst && pending === 0) {
        const tr = row(a);
        tr.classList.add('flash');
        $('alerts').prepend(tr);
        showRange($('alerts').children.length);
      } else {
        pending++;
        $('live-note').hidden = false;
        $('live-show').textContent = `${pending} new alert${pending === 1 ? '' : 's'} match this view: show`;
      }
    },
    onChanged(a) {
      const tr = document.querySelector(`tr.alert[data-id="${a.id}"]`);
      if (tr === null) return;
      const fresh = row(a);
      fresh.classList.add('flash');
      tr.replaceWith(fresh);
    },
  };
}
