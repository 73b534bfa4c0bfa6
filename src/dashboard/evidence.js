// The evidence of an alert as tables people read: every matched event with all its fields, one
// table per event kind (columns in schema order), times in the analyst's zone and relative to
// the first event, amounts with their currency; the aggregates at decision time; the context
// snapshot with its dates as dates and its lists as lists. Event fields are attacker-controlled
// data: every value is escaped.
import { duration, esc, isDurationKey, isTime, money, number, since, when, words } from './format.js';

// kind and ts are the table and its time columns; the id is each row's tooltip.
const HIDDEN = new Set(['kind', 'ts', 'id']);
const MONEY = new Set(['amount', 'notional', 'price']);

function cell(field, value, event) {
  if (value === null || value === undefined) return '<span class="muted">—</span>';
  if (MONEY.has(field) && typeof value === 'number') return money(value, event.currency);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (isTime(field, value)) return esc(when(value));
  if (typeof value === 'number') return number(value);
  return esc(value);
}

export function evidenceTables(alert) {
  const events = alert.matched.flatMap((s) => s.events.map((m) => ({ step: s.step, ...m })));
  const first = Math.min(...events.map((m) => m.event.ts));
  const kinds = [...new Set(events.map((m) => m.event.kind))];
  const withSource = events.some((m) => m.source !== null);
  return kinds.map((kind) => {
    const rows = events.filter((m) => m.event.kind === kind);
    // The account column says nothing when it is the alert's key on every row.
    const fields = [...new Set(rows.flatMap((m) => Object.keys(m.event)))].filter((f) => !HIDDEN.has(f) && !(f === 'account' && rows.every((m) => m.event.account === alert.key)));
    const head = ['step', 'time', 'since first', ...fields, ...(withSource ? ['source'] : [])].map((f) => `<th>${esc(words(f))}</th>`).join('');
    const body = rows.map((m) => `<tr data-event="${esc(m.event.id)}" title="event ${esc(m.event.id)}"><td>${esc(m.step)}</td><td class="when">${esc(when(m.event.ts))}</td><td class="when">${esc(since(m.event.ts, first))}</td>${
      fields.map((f) => `<td data-field="${esc(f)}"${typeof m.event[f] === 'number' ? ' class="num"' : ''}>${cell(f, m.event[f], m.event)}</td>`).join('')}${
      withSource ? `<td>${m.source === null ? '<span class="muted">file</span>' : `${esc(m.source.topic)}/${esc(m.source.partition)}@${esc(m.source.offset)}`}</td>` : ''}</tr>`).join('');
    return `<h3>${esc(kind)} events (${rows.length})</h3><div style="overflow-x:auto"><table class="evidence" data-kind="${esc(kind)}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
  }).join('');
}

/** Aggregates (thresholds) or context as a definition list: dates as dates, lists joined. */
export function keyValues(obj, id) {
  if (obj === null || obj === undefined) return '<p class="muted">none</p>';
  if (typeof obj !== 'object' || Array.isArray(obj)) return `<p>${esc(JSON.stringify(obj))}</p>`;
  const entries = Object.entries(obj);
  if (entries.length === 0) return '<p class="muted">none</p>';
  const value = (k, v) => {
    if (Array.isArray(v)) return v.length === 0 ? '<span class="muted">none</span>' : v.map((x) => esc(typeof x === 'object' ? JSON.stringify(x) : x)).join(', ');
    if (v !== null && typeof v === 'object') return keyValues(v);
    if (isTime(k, v)) return `${esc(when(v))}`;
    if (isDurationKey(k) && typeof v === 'number') return esc(duration(v));
    if (typeof v === 'number') return number(v);
    return esc(v);
  };
  return `<dl class="kv"${id ? ` id="${id}"` : ''}>${entries.map(([k, v]) => `<dt>${esc(words(k))}</dt><dd data-key="${esc(k)}">${value(k, v)}</dd>`).join('')}</dl>`;
}
