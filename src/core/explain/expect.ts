// "Why didn't these events raise an alert?": follows the candidate made of the expected
// events through an explanation's timeline and finds the first point where it failed.
//
// Sequences: the candidate is the set of partial matches holding every expected event taken
// so far (they may hold other events too). An expected event it lets pass while it waits is
// the answer unless it takes a later one (a scenario may list events the pattern does not
// need); otherwise it fails where it is lost (expired, dropped, discarded by the skip strategy
// or the cap, killed by an absence) or waits when the input ends. Thresholds: an expected event filtered out by
// `where`, one gone from the window before the last, or `when` false once all are in it.
// Correlations: an event that is no role's candidate, or a set that cannot be completed.
import type { AnyEvent } from '../../events/types.ts';
import { CepError } from '../errors.ts';
import type { PartialMatchView, WindowView } from '../state-view.ts';
import type { Entry, Explanation, Happening } from './timeline.ts';
import type { Evaluation } from './trace.ts';

export type Reason =
  | { readonly kind: 'fired'; readonly alert: string; readonly message: string }
  | { readonly kind: 'late'; readonly event: AnyEvent; readonly watermark: number }
  | { readonly kind: 'not-opened'; readonly event: AnyEvent; readonly step: string; readonly evaluations: readonly Evaluation[] }
  /** The best candidate match did not take the event (it waited, or it had to leave). */
  | { readonly kind: 'not-taken'; readonly event: AnyEvent; readonly match: number; readonly view: PartialMatchView; readonly how: Happening | null }
  /** The last candidate match was lost (expired, dropped, discarded, suppressed, over the cap, an absence matched). */
  | { readonly kind: 'lost'; readonly entry: Entry; readonly match: number; readonly view: PartialMatchView; readonly how: Happening }
  | { readonly kind: 'incomplete'; readonly match: number; readonly view: PartialMatchView }
  | { readonly kind: 'filtered'; readonly event: AnyEvent; readonly evaluations: readonly Evaluation[] }
  | { readonly kind: 'left-window'; readonly event: AnyEvent; readonly left: readonly string[]; readonly window: WindowView }
  | { readonly kind: 'condition'; readonly event: AnyEvent | null; readonly at: number; readonly window: WindowView; readonly evaluations: readonly Evaluation[] }
  | { readonly kind: 'window-open'; readonly window: WindowView }
  | { readonly kind: 'not-candidate'; readonly event: AnyEvent; readonly evaluations: readonly Evaluation[] }
  | { readonly kind: 'no-set'; readonly event: AnyEvent; readonly role: string; readonly missing: string }
  | { readonly kind: 'other-set'; readonly alert: string; readonly events: readonly string[] };

export interface Verdict {
  readonly expected: readonly string[];
  /** Expected events the rule read at the key, in processing order. */
  readonly read: readonly string[];
  /** Expected events it did not read (another key, a kind the rule does not read, not in the input). */
  readonly unread: readonly string[];
  readonly reason: Reason;
}

const LOSSES = new Set(['expired', 'dropped', 'discarded', 'suppressed']);

function lossOf(h: Happening, ids: ReadonlySet<number>): number[] {
  if (LOSSES.has(h.kind)) return ids.has((h as { match: number }).match) ? [(h as { match: number }).match] : [];
  if (h.kind === 'overflow') return h.matches.filter((m) => ids.has(m));
  if (h.kind === 'absence' && h.matched) return ids.has(h.match) ? [h.match] : [];
  return [];
}

function sequenceReason(x: Explanation, entries: readonly Entry[], want: readonly string[]): Reason {
  const expected = new Set(want);
  const held = (m: number): number => (x.matches[m]?.steps ?? []).reduce((n, s) => n + s.events.filter((e) => expected.has(e.id)).length, 0);
  const best = (ms: Iterable<number>): number => [...ms].sort((a, b) => held(b) - held(a) || a - b)[0] as number;
  let candidate: Set<number> | null = null;
  /** The first expected event the candidate let pass (staying) since it last took one: the answer unless it takes another. */
  let miss: Reason | null = null;
  for (const entry of entries) {
    const id = entry.kind === 'event' ? entry.event?.id : undefined;
    if (id !== undefined && expected.has(id)) {
      const took = new Set<number>();
      for (const h of entry.happened) {
        if (h.kind === 'opened' && candidate === null) took.add(h.match);
        if (h.kind === 'took' && (candidate === null || candidate.has(h.from ?? h.match))) took.add(h.match);
      }
      const event = entry.event as AnyEvent;
      if (took.size > 0) {
        candidate = took;
        miss = null;
      } else if (candidate === null) {
        const no = entry.happened.find((h) => h.kind === 'not-opened');
        return { kind: 'not-opened', event, step: no?.kind === 'not-opened' ? no.step : '', evaluations: no?.kind === 'not-opened' ? no.evaluations : [] };
      } else {
        const m = best(candidate);
        const how = entry.happened.find((h) => 'match' in h && h.match === m && h.kind !== 'alert') ?? null;
        const reason: Reason = { kind: 'not-taken', event, match: m, view: x.matches[m] as PartialMatchView, how };
        // An expected event the candidate had to be lost over (expired, dropped) is where it failed.
        if (how !== null && how.kind !== 'waits') return reason;
        miss ??= reason;
      }
    }
    if (candidate === null) continue;
    for (const h of entry.happened) {
      if (h.kind === 'alert' && want.every((w) => h.events.includes(w))) return { kind: 'fired', alert: h.id, message: h.message };
      for (const lost of lossOf(h, candidate)) {
        candidate.delete(lost);
        if (candidate.size === 0) return miss ?? { kind: 'lost', entry, match: lost, view: x.matches[lost] as PartialMatchView, how: h };
      }
    }
  }
  if (candidate === null) throw new CepError('CEP_ERR_EXPLAIN_EXPECT', 'none of the expected events reached the rule');
  const m = best(candidate);
  return miss ?? { kind: 'incomplete', match: m, view: x.matches[m] as PartialMatchView };
}

function thresholdReason(entries: readonly Entry[], want: readonly string[], read: readonly string[]): Reason {
  const expected = new Set(want);
  const lastId = read[read.length - 1];
  let lastSeen = false;
  for (const entry of entries) {
    const event = entry.event;
    if (entry.kind === 'event' && event !== null && expected.has(event.id)) {
      const filtered = entry.happened.find((h) => h.kind === 'filtered');
      if (filtered?.kind === 'filtered') return { kind: 'filtered', event, evaluations: filtered.evaluations };
      if (event.id === lastId) lastSeen = true;
    }
    for (const h of entry.happened) {
      if (h.kind === 'alert' && want.every((w) => h.events.includes(w))) return { kind: 'fired', alert: h.id, message: h.message };
      if (h.kind === 'window' && h.left.some((id) => expected.has(id)) && !lastSeen && event !== null) {
        return { kind: 'left-window', event, left: h.left.filter((id) => expected.has(id)), window: h.window };
      }
      if (h.kind === 'window-decided' && lastSeen && h.window.events.some((e) => e.id === lastId)) {
        const missing = want.filter((w) => read.includes(w) && !h.window.events.some((e) => e.id === w));
        if (missing.length > 0 && event !== null) return { kind: 'left-window', event, left: missing, window: h.window };
        if (!h.fired) return { kind: 'condition', event, at: entry.at, window: h.window, evaluations: h.evaluations };
      }
    }
  }
  const open = [...entries].reverse().flatMap((e) => e.happened).find((h) => h.kind === 'window' && h.window.events.some((e) => e.id === lastId));
  if (open?.kind === 'window') return { kind: 'window-open', window: open.window };
  throw new CepError('CEP_ERR_EXPLAIN_EXPECT', 'the expected events never made a window');
}

function correlationReason(entries: readonly Entry[], want: readonly string[], read: readonly string[]): Reason {
  const expected = new Set(want);
  const lastId = read[read.length - 1];
  for (const entry of entries) {
    const event = entry.event;
    if (entry.kind !== 'event' || event === null || !expected.has(event.id)) continue;
    const c = entry.happened.find((h) => h.kind === 'candidate');
    if (c?.kind === 'candidate' && c.roles.length === 0) return { kind: 'not-candidate', event, evaluations: c.evaluations };
    const alert = entry.happened.find((h) => h.kind === 'alert');
    if (alert?.kind === 'alert') {
      if (want.every((w) => alert.events.includes(w))) return { kind: 'fired', alert: alert.id, message: alert.message };
      if (alert.events.some((id) => expected.has(id))) return { kind: 'other-set', alert: alert.id, events: alert.events };
    }
    if (event.id === lastId) {
      const no = entry.happened.find((h) => h.kind === 'no-set');
      if (no?.kind === 'no-set') return { kind: 'no-set', event, role: no.role, missing: no.missing };
    }
  }
  throw new CepError('CEP_ERR_EXPLAIN_EXPECT', 'the expected events made no decision of the correlation');
}

/**
 * Why the expected events (ids) did or did not raise an alert of the explained rule at its
 * key. Reads the whole timeline: explain without --from/--to for this.
 */
export function whyNot(x: Explanation, expected: readonly string[]): Verdict {
  const want = [...new Set(expected)];
  if (want.length === 0) throw new CepError('CEP_ERR_EXPLAIN_EXPECT', '--expect names no event id');
  const order = new Map<string, number>();
  x.timeline.forEach((e, i) => {
    if (e.event !== null && (e.kind === 'event' || e.kind === 'late') && !order.has(e.event.id)) order.set(e.event.id, i);
  });
  const read = want.filter((id) => order.has(id)).sort((a, b) => (order.get(a) as number) - (order.get(b) as number));
  const unread = want.filter((id) => !order.has(id));
  if (read.length === 0) {
    throw new CepError('CEP_ERR_EXPLAIN_EXPECT', `rule '${x.ruleId}' read none of the expected events at key '${x.key}'`, [`not read: ${unread.join(', ')}`]);
  }
  const late = x.timeline.find((e) => e.kind === 'late' && e.event !== null && read.includes(e.event.id));
  if (late !== undefined) return { expected: want, read, unread, reason: { kind: 'late', event: late.event as AnyEvent, watermark: late.watermark as number } };
  const reason = x.ruleKind === 'sequence' ? sequenceReason(x, x.timeline, read)
    : x.ruleKind === 'threshold' ? thresholdReason(x.timeline, read, read) : correlationReason(x.timeline, read, read);
  return { expected: want, read, unread, reason };
}
