// Sequence matching: a non-deterministic automaton run per (rule, key) over the key's
// events in event-time order. Each partial match ("run") is at a step with a count:
//
//   step:   fails{3..10}  ──►  ok  ──►  [absent: logout]  ──►  cash
//   run:    (step 0, count 4, seq 17, blocked=false, item=e17 ─► prev run (e12) ─► ... ─► e3)
//
// On each event a run may (a) take it into its current step, (b) advance to the next
// step(s) with it (optional steps can be passed over), and (c) ignore it, when it could not
// take it (or could only into `any` steps) and some later non-strict take is still
// possible. Relaxed contiguity is "skip till next match": a takeable event is never
// skipped, so loops do not explode into every subset. Strict contiguity means the taken
// event is the next event of the rule's streams for this key (seq = last seq + 1). An absence between two
// steps blocks advancing once a matching event follows the last taken one; a trailing
// absence turns a complete run into a pending one decided by a timer at start + within.
//
// An explain observer, when given, hears what each held run did with each event (and the
// predicates run traced); on the normal path it is undefined and costs a branch.
import type { MatchedStep } from '../alert.ts';
import type { Observer, Partial } from '../explain/observer.ts';
import type { Captures, PositiveStep, SequenceRule, AbsentStep } from '../rule-types.ts';
import { Match } from '../runtime.ts';
import type { Ingested, Operator, OperatorHost, Reviver, RuleKeyState, StateBounds } from '../runtime.ts';
import type { OperatorView } from '../state-view.ts';
import { skipPolicy } from './after-match.ts';
import type { SkipPolicy } from './after-match.ts';
import { planOf, viewOf } from './plan.ts';
import { byMatchOrder, chain, Run } from './run.ts';
import type { RunData } from './run.ts';

export class SequenceState {
  runs: Run[];
  /** Complete runs waiting out a trailing absence. */
  pending: Run[];
  constructor(runs: Run[], pending: Run[]) {
    this.runs = runs;
    this.pending = pending;
  }
}

export function sequenceOperator(rule: SequenceRule, bounds: StateBounds, obs: Observer | undefined = undefined): Operator {
  const plan = planOf(rule);
  const { steps, absentAfter, relaxedAdvance } = plan;
  const last = steps.length - 1;
  const trailing = absentAfter[last];
  const within = rule.within as number;
  const policy: SkipPolicy = skipPolicy(rule.skip, (name) => steps.findIndex((st) => st.name === name));

  const accepts = obs === undefined
    ? (st: PositiveStep | AbsentStep, item: Ingested, caps: Captures, ctx: unknown): boolean =>
      st.kind === item.event.kind && (st.where === undefined || st.where(item.event, caps, ctx))
    : (st: PositiveStep | AbsentStep, item: Ingested, caps: Captures, ctx: unknown): boolean =>
      st.kind === item.event.kind && (st.where === undefined ||
        obs.evaluate(st.type === 'absent' ? `not ${st.name}` : st.name, st.where, [['e', item.event], ['m', caps], ['ctx', ctx]]));
  const isComplete = (r: Run): boolean => r.step === last && r.count === (steps[last] as PositiveStep).quantifier.max;
  /** Explain mode: a run as a report names it. */
  const partial = (run: Run, complete = false): Partial => ({ ref: run, view: viewOf(plan, within, run, complete) });

  // Counted steps capture arrays, empty when the step took no event (`times(0, n)`).
  const emptyCaps: Record<string, unknown> = {};
  for (const st of steps) if (st.quantifier.shape === 'many') emptyCaps[st.name] = [];

  function take(run: Run | null, t: number, item: Ingested, seq: number): Run {
    const st = steps[t] as PositiveStep;
    const prevCount = run !== null && run.step === t ? run.count : 0;
    const caps: Record<string, unknown> = run === null ? { ...emptyCaps } : { ...run.caps };
    if (st.quantifier.shape === 'many') {
      const prev = (caps[st.name] as readonly unknown[] | undefined) ?? [];
      caps[st.name] = [...prev, item.event];
    } else {
      caps[st.name] = item.event;
    }
    return new Run(run, item, seq, t, prevCount + 1, caps as Captures);
  }

  function matchedOf(run: Run): MatchedStep[] {
    const out: MatchedStep[] = [];
    for (let s = 0; s < steps.length; s++) out.push({ step: (steps[s] as PositiveStep).name, events: [] });
    const runs = chain(run);
    for (let i = 0; i < runs.length; i++) {
      const r = runs[i] as Run;
      (out[r.step]?.events as { event: unknown; source: unknown }[]).push({ event: r.item.event, source: r.item.source });
    }
    return out;
  }

  function emit(rs: RuleKeyState, run: Run, detectedAt: number, host: OperatorHost): void {
    const lastItem = run.item;
    const ctx = host.context(rs);
    const message = rule.message ? rule.message(run.caps, ctx, rs.key) : `${rule.id}: ${rule.description} (key ${rs.key})`;
    host.alert(rs, new Match(matchedOf(run), run.start, lastItem.event.ts, detectedAt, {}, message, ''));
  }

  /**
   * Rebuilds a run by replaying the takes of its chain from the first event (or from the
   * nearest prefix already rebuilt: shared prefixes stay shared), so everything derived,
   * captures included, is made by the code that made it before the snapshot.
   */
  function revive(data: RunData, runs: Map<RunData, Run>, reviver: Reviver): Run {
    const todo: RunData[] = [];
    let prev: Run | null = null;
    for (let d: RunData | null = data; d !== null; d = d.prev) {
      const known = runs.get(d);
      if (known !== undefined) {
        prev = known;
        break;
      }
      todo.push(d);
    }
    for (let i = todo.length - 1; i >= 0; i--) {
      const d = todo[i] as RunData;
      const run = take(prev, d.step, reviver.ingested(d.item), d.seq);
      run.blocked = d.blocked;
      runs.set(d, run);
      prev = run;
    }
    return prev as Run;
  }

  /**
   * Applies the skip strategy to the matches decided together (in match order): emits the
   * ones it admits, then drops every held run it discards.
   */
  function decide(rs: RuleKeyState, state: SequenceState, decided: readonly Run[], host: OperatorHost, deadline: boolean): void {
    policy.reset();
    const emitted: boolean[] | undefined = obs === undefined ? undefined : [];
    for (const r of decided) {
      const admitted = policy.admit(r);
      if (admitted) emit(rs, r, deadline ? r.start + within : r.item.event.ts, host);
      if (emitted !== undefined) emitted.push(admitted);
    }
    if (!policy.prunes) {
      if (emitted !== undefined) noteDecided(decided, emitted, []);
      return;
    }
    const discarded = emitted === undefined ? undefined : [...state.runs, ...state.pending].filter((r) => policy.discards(r));
    state.runs = state.runs.filter((r) => !policy.discards(r));
    state.pending = state.pending.filter((r) => !policy.discards(r));
    if (emitted !== undefined) noteDecided(decided, emitted, discarded ?? []);
  }

  // Explain mode only: the reports, out of onEvent so that it stays small.
  function noteDecided(decided: readonly Run[], emitted: readonly boolean[], discarded: readonly Run[]): void {
    (obs as Observer).note({
      kind: 'decided', strategy: rule.skip, decided: decided.map((r, i) => ({ run: partial(r, true), emitted: emitted[i] === true })),
      discarded: discarded.map((r) => partial(r, isComplete(r))),
    });
  }

  function noteRun(run: Run, took: readonly Run[], stays: boolean, blocked: boolean): void {
    const lost = !stays && took.length === 0;
    (obs as Observer).note({ kind: 'run', run: partial(run), took: took.map((r) => partial(r, isComplete(r))), stays, expired: false, dropped: lost ? (blocked ? 'absence' : 'strict') : null });
  }

  function noteOverflow(dropped: readonly Run[], complete: boolean): void {
    (obs as Observer).note({ kind: 'overflow', dropped: dropped.map((r) => partial(r, complete)) });
  }

  // Scratch lists of onEvent, reused so that an event allocates nothing it does not keep:
  // `spare` becomes a state's next runs, and the runs list it replaces (which no state holds
  // any more) becomes the spare; `completed` is read before onEvent returns and never kept.
  let spare: Run[] = [];
  const completed: Run[] = [];

  function add(r: Run, next: Run[], took: Run[] | undefined): void {
    if (took !== undefined) took.push(r);
    if (isComplete(r)) completed.push(r);
    else next.push(r);
  }

  function schedulePending(rs: RuleKeyState, state: SequenceState, host: OperatorHost): void {
    let earliest = Infinity;
    for (const p of state.pending) if (p.start + within < earliest) earliest = p.start + within;
    if (earliest !== Infinity) host.schedule(rs, earliest);
  }

  return {
    create: (): SequenceState => new SequenceState([], []),

    restore(data, reviver): SequenceState {
      const d = data as { readonly runs: readonly RunData[]; readonly pending: readonly RunData[] };
      const known = new Map<RunData, Run>();
      const runs: Run[] = [];
      for (let i = 0; i < d.runs.length; i++) runs.push(revive(d.runs[i] as RunData, known, reviver));
      const pending: Run[] = [];
      for (let i = 0; i < d.pending.length; i++) pending.push(revive(d.pending[i] as RunData, known, reviver));
      return new SequenceState(runs, pending);
    },

    onEvent(rs, item, seq, host) {
      const state = rs.op as SequenceState;
      const ctx = host.context(rs);
      const e = item.event;

      // Pending runs wait out a trailing absence: a matching event kills them.
      let pending = state.pending;
      if (trailing !== undefined && pending.length > 0 && trailing.kind === e.kind) {
        pending = pending.filter((p) => {
          if (e.ts > p.start + within) return true;
          const matched = accepts(trailing, item, p.caps, ctx);
          if (obs !== undefined) obs.note({ kind: 'absence', run: partial(p, true), step: trailing.name, matched });
          return !matched;
        });
      }

      // Emptied here too: a predicate that threw left the last event's lists half filled.
      const next = spare;
      next.length = 0;
      completed.length = 0;
      let took: Run[] | undefined;

      for (const run of state.runs) {
        if (e.ts - run.start > within) {
          if (obs !== undefined) obs.note({ kind: 'run', run: partial(run), took: [], stays: false, expired: true, dropped: null });
          continue;
        }
        if (obs !== undefined) took = [];
        const j = run.step;
        const sj = steps[j] as PositiveStep;
        const q = sj.quantifier;
        // A run skips an event it can take only when every step that could take it is `any`.
        let mustTake = false;
        if (run.count < q.max && (sj.contiguity !== 'strict' || seq === run.seq + 1) && accepts(sj, item, run.caps, ctx)) {
          add(take(run, j, item, seq), next, took);
          if (sj.contiguity !== 'any') mustTake = true;
        }
        if (run.count >= q.min && !run.blocked) {
          for (let t = j + 1; t <= last; t++) {
            const st = steps[t] as PositiveStep;
            if ((st.contiguity !== 'strict' || seq === run.seq + 1) && accepts(st, item, run.caps, ctx)) {
              add(take(run, t, item, seq), next, took);
              if (st.contiguity !== 'any') mustTake = true;
            }
            if (st.quantifier.min > 0) break;
          }
        }
        let stays = false;
        let blocked = run.blocked;
        if (!mustTake) {
          const gap = absentAfter[j];
          blocked = run.blocked || (gap !== undefined && accepts(gap, item, run.caps, ctx));
          stays = (run.count < q.max && sj.contiguity !== 'strict') || (run.count >= q.min && !blocked && relaxedAdvance[j] === true);
          if (stays) {
            run.blocked = blocked;
            next.push(run);
          }
        }
        if (took !== undefined) noteRun(run, took, stays, blocked);
      }
      took = undefined;
      const first = steps[0] as PositiveStep;
      if (accepts(first, item, emptyCaps as Captures, ctx)) {
        const opened = take(null, 0, item, seq);
        add(opened, next, undefined);
        if (obs !== undefined) obs.note({ kind: 'open', opened: partial(opened), step: first.name });
      } else if (obs !== undefined && first.kind === e.kind) {
        obs.note({ kind: 'open', opened: null, step: first.name });
      }

      if (next.length > bounds.maxPartialMatches) {
        const dropped = next.length - bounds.maxPartialMatches;
        if (obs !== undefined) noteOverflow(next.slice(0, dropped), false);
        next.splice(0, dropped);
        host.overflow(rs, dropped);
      }
      const old = state.runs;
      old.length = 0;
      spare = old;
      state.runs = next;
      state.pending = pending;

      if (completed.length === 0) return;
      completed.sort(byMatchOrder);
      if (trailing !== undefined) {
        for (const r of completed) {
          state.pending.push(r);
          if (obs !== undefined) obs.note({ kind: 'pending', run: partial(r, true), absence: trailing.name });
        }
        if (state.pending.length > bounds.maxPartialMatches) {
          const dropped = state.pending.length - bounds.maxPartialMatches;
          if (obs !== undefined) noteOverflow(state.pending.slice(0, dropped), true);
          state.pending.splice(0, dropped);
          host.overflow(rs, dropped);
        }
        schedulePending(rs, state, host);
        return;
      }
      decide(rs, state, completed, host, false);
    },

    onTimer(rs, at, host) {
      const state = rs.op as SequenceState;
      const due = state.pending.filter((p) => p.start + within <= at).sort(byMatchOrder);
      state.pending = state.pending.filter((p) => p.start + within > at);
      if (due.length > 0) decide(rs, state, due, host, true);
      schedulePending(rs, state, host);
    },

    prune(rs, horizon) {
      const state = rs.op as SequenceState;
      state.runs = state.runs.filter((r) => r.start + within >= horizon);
      return state.runs.length === 0 && state.pending.length === 0;
    },

    held(rs) {
      const state = rs.op as SequenceState;
      return state.runs.length + state.pending.length;
    },

    inspect(rs, horizon): OperatorView {
      const state = rs.op as SequenceState;
      // What prune would drop is not shown: the view does not depend on when sweeps ran.
      const live = (r: Run): boolean => r.start + within >= horizon;
      return {
        kind: 'sequence',
        partialMatches: [...state.runs.filter(live).map((r) => viewOf(plan, within, r, false)), ...state.pending.map((r) => viewOf(plan, within, r, true))],
      };
    },
  };
}
