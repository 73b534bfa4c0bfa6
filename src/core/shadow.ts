// Shadow mode, the pure parts: how a promoted candidate's state joins the live engine, and
// how live and shadow alerts of a rule are paired for the diff.
//
// Pairing: a live and a shadow alert are "the same detection" when they have the same key and
// share at least one matched event id (a changed threshold matches a different set of events
// for the same burst: three transfers instead of two). Alert ids differ between versions (the
// id hashes the rule version), so ids cannot pair them. Live alerts are taken in detection
// order, each paired with the earliest shadow alert of its key not paired yet that shares an
// event; an alert is in at most one pair.
import type { Alert } from './alert.ts';
import type { EngineSnapshot } from './engine/index.ts';

/**
 * The snapshots a promoted engine restores from (engine/snapshot.ts restore): the live one
 * without the rule's old state, then the candidate's (restore keeps an event both buffered
 * once; a key both hold keeps the live context).
 */
export function promotedSnapshots(live: EngineSnapshot, shadow: EngineSnapshot, ruleId: string): [EngineSnapshot, EngineSnapshot] {
  const spaces = live.spaces.flatMap((ss) => {
    const rules = ss.rules?.filter((id) => id !== ruleId);
    // A space only the old version used: the candidate brings its own.
    if (rules !== undefined && rules.length === 0) return [];
    const keys = ss.keys.map((k) => (k.rules.some((r) => r.ruleId === ruleId) ? { ...k, rules: k.rules.filter((r) => r.ruleId !== ruleId) } : k));
    return [{ ...ss, ...(rules === undefined ? {} : { rules }), keys }];
  });
  return [{ ...live, spaces }, { ...shadow, disabled: [] }];
}

/** What the diff shows of an alert. */
export interface DiffAlert {
  readonly id: string;
  readonly ruleVersion: number;
  readonly key: string;
  readonly firstEventTime: number;
  readonly lastEventTime: number;
  readonly detectedAtEventTime: number;
  readonly message: string;
  /** The matched event ids, sorted: with the key, what pairs alerts. */
  readonly events: readonly string[];
}

export interface ShadowDiff {
  readonly onlyLive: readonly DiffAlert[];
  readonly onlyShadow: readonly DiffAlert[];
  readonly both: readonly { readonly live: DiffAlert; readonly shadow: DiffAlert }[];
}

export function diffAlertOf(a: Pick<Alert, 'id' | 'ruleVersion' | 'key' | 'firstEventTime' | 'lastEventTime' | 'detectedAtEventTime' | 'message' | 'matched'>): DiffAlert {
  const events = [...new Set(a.matched.flatMap((s) => s.events.map((m) => m.event.id)))].sort();
  return { id: a.id, ruleVersion: a.ruleVersion, key: a.key, firstEventTime: a.firstEventTime, lastEventTime: a.lastEventTime, detectedAtEventTime: a.detectedAtEventTime, message: a.message, events };
}

const byDetection = (a: DiffAlert, b: DiffAlert): number => a.detectedAtEventTime - b.detectedAtEventTime || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Pairs live and shadow alerts (same key, a matched event in common); every list in detection order (then id). */
export function shadowDiff(live: readonly DiffAlert[], shadow: readonly DiffAlert[]): ShadowDiff {
  const byKey = new Map<string, DiffAlert[]>();
  for (const s of [...shadow].sort(byDetection)) {
    const list = byKey.get(s.key);
    if (list === undefined) byKey.set(s.key, [s]);
    else list.push(s);
  }
  const paired = new Set<DiffAlert>();
  const onlyLive: DiffAlert[] = [];
  const both: { live: DiffAlert; shadow: DiffAlert }[] = [];
  for (const l of [...live].sort(byDetection)) {
    const ids = new Set(l.events);
    const s = byKey.get(l.key)?.find((x) => !paired.has(x) && x.events.some((id) => ids.has(id)));
    if (s === undefined) {
      onlyLive.push(l);
    } else {
      paired.add(s);
      both.push({ live: l, shadow: s });
    }
  }
  const onlyShadow = [...shadow].filter((s) => !paired.has(s)).sort(byDetection);
  return { onlyLive, onlyShadow, both };
}
