// A partial match of a sequence ("run") and the order matches are emitted in. Runs form
// persistent chains: a take creates one object pointing at the run it extends (O(1), shared
// prefixes), never copying the events taken so far.
//
//   run:  (step 1, count 1, seq 17) ─► (step 0, count 3, seq 12) ─► ... ─► (step 0, count 1, seq 3)
//          item = e17                   item = e12                         item = e3 (first event)
import type { Captures } from '../rule-types.ts';
import type { Ingested } from '../runtime.ts';

/**
 * Fields are never mutated after creation, except `blocked`, which only the run kept by an
 * "ignore" branch changes (extensions start unblocked).
 */
export class Run {
  readonly prev: Run | null;
  readonly item: Ingested;
  /** Position of `item` among the events of the rule's kinds at this key (processing order). */
  readonly seq: number;
  readonly start: number;
  readonly firstSeq: number;
  /** Index of the positive step `item` was taken into. */
  readonly step: number;
  /** Events taken into that step so far. */
  readonly count: number;
  /** Number of events in the chain. */
  readonly length: number;
  blocked: boolean;
  readonly caps: Captures;
  constructor(prev: Run | null, item: Ingested, seq: number, step: number, count: number, caps: Captures) {
    this.prev = prev;
    this.item = item;
    this.seq = seq;
    this.start = prev === null ? item.event.ts : prev.start;
    this.firstSeq = prev === null ? seq : prev.firstSeq;
    this.step = step;
    this.count = count;
    this.length = prev === null ? 1 : prev.length + 1;
    this.blocked = false;
    this.caps = caps;
  }
}

/** A Run after a structured clone: its fields, without the class. */
export interface RunData {
  readonly prev: RunData | null;
  readonly item: unknown;
  readonly seq: number;
  readonly step: number;
  readonly blocked: boolean;
}

/** The run's chain from first to last event. */
export function chain(run: Run): Run[] {
  const out = new Array<Run>(run.length);
  for (let r: Run | null = run, i = run.length - 1; r !== null; r = r.prev, i--) out[i] = r;
  return out;
}

/** Emission order: earliest first event first, then the lexicographic order of event positions. */
function lexLess(a: Run, b: Run): boolean {
  if (a.firstSeq !== b.firstSeq) return a.firstSeq < b.firstSeq;
  const x = chain(a);
  const y = chain(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const p = (x[i] as Run).seq;
    const q = (y[i] as Run).seq;
    if (p !== q) return p < q;
  }
  return x.length < y.length;
}
export const byMatchOrder = (a: Run, b: Run): number => (lexLess(a, b) ? -1 : lexLess(b, a) ? 1 : 0);
