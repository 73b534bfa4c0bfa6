// After-match skip strategies of sequences, one small class each (the way Flink CEP keeps
// them in nfa/aftermatch/): the matcher finds matches, a policy decides what else survives.
//
// A decision is an event that completes matches, or a deadline that decides them (trailing
// absence). The matches decided together are offered in match order to `admit`, which says
// whether each is emitted (one discarded by an earlier one is not); then every held run, partial
// or complete-and-pending, for which `discards` is true is dropped, including runs that the
// deciding event itself started or advanced.
import { parseSkip } from '../rule-types.ts';
import type { SkipStrategy } from '../rule-types.ts';
import type { Run } from './run.ts';

export interface SkipPolicy {
  /** False when nothing is ever discarded (no-skip): held runs are then not walked. */
  readonly prunes: boolean;
  /** Starts a decision. */
  reset(): void;
  /** Whether `m`, decided now after the ones offered before it, is emitted; records it. */
  admit(m: Run): boolean;
  /** Whether a held run is discarded by the matches of this decision. */
  discards(r: Run): boolean;
}

/** `no-skip`: every match is emitted, every partial match kept. */
class NoSkip implements SkipPolicy {
  readonly prunes = false;
  reset(): void {}
  admit(): boolean {
    return true;
  }
  discards(): boolean {
    return false;
  }
}

/** `skip-past-last-event`: runs that started at or before an emitted match's last event go. */
class SkipPastLastEvent implements SkipPolicy {
  readonly prunes = true;
  private end = -1;
  reset(): void {
    this.end = -1;
  }
  admit(m: Run): boolean {
    if (this.discards(m)) return false;
    if (m.seq > this.end) this.end = m.seq;
    return true;
  }
  discards(r: Run): boolean {
    return r.firstSeq <= this.end;
  }
}

/** `skip-to-next`: runs that started with an emitted match's first event go. */
class SkipToNext implements SkipPolicy {
  readonly prunes = true;
  private readonly starts = new Set<number>();
  reset(): void {
    this.starts.clear();
  }
  admit(m: Run): boolean {
    if (this.discards(m)) return false;
    this.starts.add(m.firstSeq);
    return true;
  }
  discards(r: Run): boolean {
    return this.starts.has(r.firstSeq);
  }
}

/**
 * `skip-to-first(step)` / `skip-to-last(step)`: runs that started before the first / last
 * event an emitted match took into `step` go; a match that took none discards nothing.
 */
class SkipToStep implements SkipPolicy {
  readonly prunes = true;
  private readonly step: number;
  private readonly last: boolean;
  private bound = -1;
  constructor(step: number, last: boolean) {
    this.step = step;
    this.last = last;
  }
  reset(): void {
    this.bound = -1;
  }
  admit(m: Run): boolean {
    if (this.discards(m)) return false;
    let at = -1;
    for (let r: Run | null = m; r !== null; r = r.prev) {
      if (r.step !== this.step) continue;
      at = r.seq;
      if (this.last) break;
    }
    if (at > this.bound) this.bound = at;
    return true;
  }
  discards(r: Run): boolean {
    return r.firstSeq < this.bound;
  }
}

/**
 * `skip-overlapping`: a match sharing an event with one decided before it (emitted or not) is
 * suppressed, so of the matches one event completes only the earliest-started is emitted; then
 * every run sharing an event with any decided match goes. Each event is in at most one alert.
 */
class SkipOverlapping implements SkipPolicy {
  readonly prunes = true;
  private readonly taken = new Set<number>();
  reset(): void {
    this.taken.clear();
  }
  admit(m: Run): boolean {
    const overlaps = this.discards(m);
    for (let r: Run | null = m; r !== null; r = r.prev) this.taken.add(r.seq);
    return !overlaps;
  }
  discards(r: Run): boolean {
    for (let x: Run | null = r; x !== null; x = x.prev) if (this.taken.has(x.seq)) return true;
    return false;
  }
}

/** The policy of a validated strategy; `stepIndex` maps a step name to its positive-step index. */
export function skipPolicy(skip: SkipStrategy, stepIndex: (name: string) => number): SkipPolicy {
  const parsed = parseSkip(skip);
  if (parsed === undefined) throw new Error(`unknown skip strategy '${skip}' (rules are validated before they compile)`);
  switch (parsed.name) {
    case 'no-skip': return new NoSkip();
    case 'skip-past-last-event': return new SkipPastLastEvent();
    case 'skip-to-next': return new SkipToNext();
    case 'skip-overlapping': return new SkipOverlapping();
    case 'skip-to-first': return new SkipToStep(stepIndex(parsed.step as string), false);
    case 'skip-to-last': return new SkipToStep(stepIndex(parsed.step as string), true);
    default: {
      const never: never = parsed.name;
      throw new Error(`unknown skip strategy ${String(never)}`);
    }
  }
}
