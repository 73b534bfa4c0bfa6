// A deliberately naive reference for sequence semantics: enumerate every assignment of
// events to steps that satisfies the definition, then apply the skip strategy decision by
// decision, in emission order. A decision (the event completing matches, or a deadline) sees
// each later candidate as the prefix of it held then (its events at or before the decision),
// and a strategy discards a candidate when it discards that prefix. Exponential, obviously
// correct, and independent of the engine's automaton and of its skip policies.
import { eventRank } from '../../../../src/core/order.ts';
import type { AnyEvent } from '../../../../src/events/types.ts';
import { parseSkip } from '../../../../src/core/rule-types.ts';
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
  const emitted = applySkip(rule, found, steps, (c, bound) => c.positions.filter((p) => (c.emit[1] === 0 ? p <= bound : (evs[p] as AnyEvent).ts <= bound)));
  return emitted.map((c) => {
    const named: Record<string, string[]> = {};
    for (const s of steps) named[s.name] = [];
    c.positions.forEach((p, i) => named[(steps[c.stepOf[i] as number] as PositiveStep).name]?.push((evs[p] as AnyEvent).id));
    return { steps: named, at: c.at };
  });
}

/**
 * The candidates a strategy emits. `prefix(c, bound)`: the positions c held at a decision
 * (bound: the completing event's position, or the deadline for decisions at a deadline).
 */
function applySkip(rule: SequenceRule, found: readonly Candidate[], steps: readonly PositiveStep[], prefix: (c: Candidate, bound: number) => number[]): Candidate[] {
  const skip = parseSkip(rule.skip);
  const target = steps.findIndex((s) => s.name === skip?.step);
  const out: Candidate[] = [];
  const dead = new Set<Candidate>();
  for (let g = 0; g < found.length;) {
    const key = (found[g] as Candidate).emit.join(',');
    let end = g;
    while (end < found.length && (found[end] as Candidate).emit.join(',') === key) end++;
    const members = found.slice(g, end).filter((c) => !dead.has(c));
    const first = (ps: readonly number[]): number => ps[0] as number;
    // What the decision discards, as a test on the positions a candidate holds.
    let drops: (ps: readonly number[]) => boolean = () => false;
    switch (skip?.name) {
      case 'no-skip':
        out.push(...members);
        break;
      case 'skip-overlapping': {
        const used = new Set<number>();
        for (const c of members) {
          if (!c.positions.some((p) => used.has(p))) out.push(c);
          for (const p of c.positions) used.add(p);
        }
        drops = (ps) => ps.some((p) => used.has(p));
        break;
      }
      case 'skip-past-last-event': {
        let last = -1;
        drops = (ps) => first(ps) <= last;
        for (const c of members) {
          if (drops(c.positions)) continue;
          out.push(c);
          last = Math.max(last, c.positions[c.positions.length - 1] as number);
        }
        break;
      }
      case 'skip-to-next': {
        const starts = new Set<number>();
        drops = (ps) => starts.has(first(ps));
        for (const c of members) {
          if (drops(c.positions)) continue;
          out.push(c);
          starts.add(first(c.positions));
        }
        break;
      }
      case 'skip-to-first': case 'skip-to-last': {
        let bound = -1;
        drops = (ps) => first(ps) < bound;
        for (const c of members) {
          if (drops(c.positions)) continue;
          out.push(c);
          const at = c.positions.filter((_, i) => c.stepOf[i] === target);
          if (at.length > 0) bound = Math.max(bound, (skip.name === 'skip-to-first' ? at[0] : at[at.length - 1]) as number);
        }
        break;
      }
      default: throw new Error(`no reference for ${rule.skip}`);
    }
    const at = (found[g] as Candidate).emit[1] === 0 ? (found[g] as Candidate).emit[2] : (found[g] as Candidate).emit[0];
    for (let k = end; k < found.length; k++) {
      const c = found[k] as Candidate;
      const held = prefix(c, at);
      if (held.length > 0 && drops(held)) dead.add(c);
    }
    g = end;
  }
  return out;
}
