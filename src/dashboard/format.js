// Formatting for people: times in the analyst's time zone (and relative to a first event),
// amounts with their currency, durations, and HTML escaping for every value that came from
// events (attacker-controlled data is never inserted as markup).
export const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const dateTime = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

export const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
export const $ = (id) => document.getElementById(id);

/** 1770774630991 → "Feb 11, 2026, 01:50:30" in the browser's time zone. */
export const when = (ms) => (ms === null || ms === undefined ? '' : dateTime.format(new Date(ms)));

/** 90061000 → "1d 1h 1m", 3200 → "3.2s", -500 → "−500ms". */
export function duration(ms) {
  const sign = ms < 0 ? '−' : '';
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${Math.round(rest)}ms`;
  if (rest < 60_000) return `${sign}${(rest / 1000).toFixed(1)}s`;
  const parts = [];
  for (const [size, unit] of [[86_400_000, 'd'], [3_600_000, 'h'], [60_000, 'm'], [1000, 's']]) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return sign + parts.join(' ');
}

/** Relative to a first event: "+3m 12s", "first". */
export const since = (ms, first) => (ms === first ? 'first' : `+${duration(ms - first)}`);

export function money(amount, currency) {
  if (typeof amount !== 'number') return esc(amount);
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency || 'XXX', maximumFractionDigits: 2 }).format(amount);
  } catch {
    return `${amount.toLocaleString()} ${esc(currency)}`;
  }
}

export const number = (n) => (typeof n === 'number' ? n.toLocaleString(undefined, { maximumFractionDigits: 2 }) : esc(n));

/** "lastLoginTs" → "last login"; times (…Ts / …At / ts) are shown as dates. */
export const words = (name) => name.replace(/Ts$|At$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
export const isTime = (name, v) => typeof v === 'number' && (/(Ts|At|Time)$/.test(name) || name === 'ts') && v > 946_684_800_000 && v < 4_102_444_800_000;

/** Parameters holding a duration in ms (a rule's `within`, a dormancy, a session gap). */
export const isDurationKey = (name) => /^(within|dormancy|gap)$|Ms$/.test(name);
