// A deliberately naive reference for sequence semantics: enumerate every assignment of
// events to steps that satisfies the definition, then apply the skip strategy in emission
// order. Exponential, obviously correct, and independent of the engine's automaton.
import { eventRank } from '../../../../src/core/order.ts';
import type { AnyEvent } from '../../../../src/events/types.ts';
import type { AbsentStep, Captures, PatternStep, PositiveStep, SequenceRule } from '../../../../src/core/rule-types.ts';

export interface RefMatch {
  /** Event ids per positive step, in step order. */
  readonly steps: Record<string, string[]>;
  /** Event time at which the match is decided. */
  readonly at: number;
}

interface Candidate {
  readonly positions: number[];
  readonly stepOf: number[];
  /** Emission order: time, then events before timers at that time, then position. */
  readonly emit: readonly [number, number, number];
  readonly at: number;
}

/** Events in processing order: by time, ties by rank (a hash of the id), never by arrival. */
export function processingOrder<E extends AnyEvent>(arrival: readonly E[]): E[] {
  return arrival.map((e) => ({ e, r: eventRank(e.id) })).sort((a, b) => a.e.ts - b.e.ts || a.r - b.r).map((x) => x.e);
}

export function referenceSequence(rule: SequenceRule, arrival: readonly AnyEvent[], ctx: unknown = undefined): RefMatch[] {
  const kinds = new Set((rule.steps as readonly PatternStep[]).map((s) => s.kind));
  const all = processingOrder(arrival);
  const maxTs = all.reduce((m, e) => Math.max(m, e.ts), -Infinity);
  const evs = all.filter((e) => kinds.has(e.kind));
  const steps: PositiveStep[] = [];
  const absentAfter: (AbsentStep | undefined)[] = [];
  for (const s of rule.steps as readonly PatternStep[]) {
    if (s.type === 'step') {
      steps.push(s);
      absentAfter.push(undefined);
    } else absentAfter[steps.length - 1] = s;
  }
  const k = steps.length;
  const within = rule.within as number;
  const ok = (st: PositiveStep | AbsentStep, e: AnyEvent, caps: Captures): boolean =>
    st.kind === e.kind && (st.where === undefined || st.where(e, caps, ctx));

  const capsOf = (positions: readonly number[], stepOf: readonly number[]): Captures => {
    const c: Record<string, unknown> = {};
    for (const st of steps) if (st.quantifier.shape === 'many') c[st.name] = [];
    positions.forEach((p, i) => {
      const st = steps[stepOf[i] as number] as PositiveStep;
      const e = evs[p] as AnyEvent;
      if (st.quantifier.shape === 'many') c[st.name] = [...((c[st.name] as AnyEvent[] | undefined) ?? []), e];
      else c[st.name] = e;
    });
    return c as Captures;
  };

  const found: Candidate[] = [];
  const search = (positions: number[], stepOf: number[]): void => {
    const lastPos = positions[positions.length - 1] as number;
    const j = stepOf[stepOf.length - 1] as number;
    const count = stepOf.filter((s) => s === j).length;
    const caps = capsOf(positions, stepOf);
    const first = evs[positions[0] as number] as AnyEvent;
    if (j === k - 1 && count === (steps[j] as PositiveStep).quantifier.max) {
      const trailing = absentAfter[k - 1];
      if (trailing === undefined) {
        found.push({ positions, stepOf, emit: [(evs[lastPos] as AnyEvent).ts, 0, lastPos], at: (evs[lastPos] as AnyEvent).ts });
        return;
      }
      const deadline = first.ts + within;
      for (let p = lastPos + 1; p < evs.length; p++) {
        const e = evs[p] as AnyEvent;
        if (e.ts <= deadline && ok(trailing, e, caps)) return;
      }
      if (deadline < maxTs) found.push({ positions, stepOf, emit: [deadline, 1, 0], at: deadline });
      return;
    }
    const targets: number[] = [];
    if (count < (steps[j] as PositiveStep).quantifier.max) targets.push(j);
    if (count >= (steps[j] as PositiveStep).quantifier.min) {
      for (let t = j + 1; t < k; t++) {
        targets.push(t);
        if ((steps[t] as PositiveStep).quantifier.min > 0) break;
      }
    }
    /** Could the partial match take q into a step that may not skip it (strict or relaxed)? */
    const mustTake = (q: number): boolean => targets.some((t) => {
      const st = steps[t] as PositiveStep;
      if (st.contiguity === 'any' || (st.contiguity === 'strict' && q !== lastPos + 1)) return false;
      if (t !== j && absentAfter[j] !== undefined) {
        for (let r = lastPos + 1; r < q; r++) if (ok(absentAfter[j] as AbsentStep, evs[r] as AnyEvent, caps)) return false;
      }
      return ok(st, evs[q] as AnyEvent, caps);
    });
    for (let p = lastPos + 1; p < evs.length; p++) {
      const e = evs[p] as AnyEvent;
      if (e.ts - first.ts > within) break;
      // Skip till next match: everything skipped before p must have been untakeable.
      if (p > lastPos + 1 && mustTake(p - 1)) break;
      for (const t of targets) {
        const st = steps[t] as PositiveStep;
        if (st.contiguity === 'strict' && p !== lastPos + 1) continue;
        if (!ok(st, e, caps)) continue;
        if (t !== j) {
          const gap = absentAfter[j];
          let violated = false;
          if (gap !== undefined) {
            for (let q = lastPos + 1; q < p; q++) if (ok(gap, evs[q] as AnyEvent, caps)) violated = true;
          }
          if (violated) continue;
        }
        search([...positions, p], [...stepOf, t]);
      }
    }
  };
  evs.forEach((e, p) => {
    if (ok(steps[0] as PositiveStep, e, capsOf([], []))) search([p], [0]);
  });

  const lex = (a: Candidate, b: Candidate): number => {
    for (let i = 0; i < 3; i++) if (a.emit[i] !== b.emit[i]) return (a.emit[i] as number) - (b.emit[i] as number);
    const n = Math.min(a.positions.length, b.positions.length);
    for (let i = 0; i < n; i++) if (a.positions[i] !== b.positions[i]) return (a.positions[i] as number) - (b.positions[i] as number);
    return a.positions.length - b.positions.length;
  };
  found.sort(lex);
  const out: RefMatch[] = [];
  let lastEnd = -1;
  for (const c of found) {
    if (rule.skip === 'skip-past-last-event') {
      if ((c.positions[0] as number) <= lastEnd) continue;
      lastEnd = c.positions[c.positions.length - 1] as number;
    }
    const named: Record<string, string[]> = {};
    for (const s of steps) named[s.name] = [];
    c.positions.forEach((p, i) => named[(steps[c.stepOf[i] as number] as PositiveStep).name]?.push((evs[p] as AnyEvent).id));
    out.push({ steps: named, at: c.at });
  }
  return out;
}
