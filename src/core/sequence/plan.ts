// A sequence rule's steps as the automaton walks them: the positive steps, the absence after
// each, and which steps a run may still move to; plus the view of a run that explain and the
// state routes show (events by step, the steps it waits for, its deadline).
import type { AnyEvent } from '../../events/types.ts';
import type { AbsentStep, PatternStep, PositiveStep, SequenceRule } from '../rule-types.ts';
import type { PartialMatchView } from '../state-view.ts';
import { chain } from './run.ts';
import type { Run } from './run.ts';

export interface Plan {
  readonly steps: readonly PositiveStep[];
  /** absentAfter[i]: the absence between step i and i+1 (or trailing, for the last). */
  readonly absentAfter: readonly (AbsentStep | undefined)[];
  /** Whether a run that completed step i (count >= min) can still advance on a relaxed step. */
  readonly relaxedAdvance: readonly boolean[];
}

export function planOf(rule: SequenceRule): Plan {
  const steps: PositiveStep[] = [];
  const absentAfter: (AbsentStep | undefined)[] = [];
  for (const s of rule.steps as readonly PatternStep[]) {
    if (s.type === 'step') {
      steps.push(s);
      absentAfter.push(undefined);
    } else {
      absentAfter[steps.length - 1] = s;
    }
  }
  const relaxedAdvance = steps.map((_, j) => {
    for (let t = j + 1; t < steps.length; t++) {
      const st = steps[t] as PositiveStep;
      if (st.contiguity !== 'strict') return true;
      if (st.quantifier.min > 0) break;
    }
    return false;
  });
  return { steps, absentAfter, relaxedAdvance };
}

/** The steps a run may take its next event into: more of its own, or the next ones (optional steps can be passed). */
export function waitsFor(plan: Plan, run: Run): string[] {
  const { steps } = plan;
  const j = run.step;
  const q = (steps[j] as PositiveStep).quantifier;
  const out: string[] = [];
  if (run.count < q.max) out.push((steps[j] as PositiveStep).name);
  if (run.count >= q.min && !run.blocked) {
    for (let t = j + 1; t < steps.length; t++) {
      out.push((steps[t] as PositiveStep).name);
      if ((steps[t] as PositiveStep).quantifier.min > 0) break;
    }
  }
  return out;
}

/** A run as explain and the state routes show it. */
export function viewOf(plan: Plan, within: number, run: Run, complete: boolean): PartialMatchView {
  const events: AnyEvent[][] = plan.steps.map(() => []);
  for (const r of chain(run)) (events[r.step] as AnyEvent[]).push(r.item.event);
  return {
    steps: plan.steps.map((s, i) => ({ step: s.name, events: events[i] as AnyEvent[] })),
    waitsFor: complete ? [] : waitsFor(plan, run),
    deadline: run.start + within,
    blocked: run.blocked,
    status: complete ? 'complete' : 'partial',
  };
}
