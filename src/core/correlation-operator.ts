// Correlation across streams: one event per role, on the same key, all within `within`.
// Each role keeps its candidates (events that passed the role's predicate). When an event
// can complete a set, the other roles take their LATEST usable candidate:
//   - order 'any': any candidate with ts >= e.ts - within, each event used once;
//   - order 'ordered': only the last role completes; going backwards, each role takes its
//     latest candidate that came before the one chosen for the role after it.
// After a match: with no-skip the candidates stay (the completing event joins them) and every
// completing event raises one match; with skip-overlapping the match's events are used up
// (each event is in at most one alert); with skip-past-last-event every candidate held is.
// An explain observer, when given, hears which roles an event is a candidate for, which role
// had no usable candidate, and what a match used up; role predicates then run traced.
import type { MatchedStep } from './alert.ts';
import type { CorrelationRole, CorrelationRule } from './rule-types.ts';
import type { AnyEvent } from '../events/types.ts';
import type { Observer } from './explain/observer.ts';
import { Match } from './runtime.ts';
import type { Ingested, Operator, Reviver, RuleKeyState, StateBounds } from './runtime.ts';
import type { OperatorView } from './state-view.ts';

/** An event that passed a role's predicate, and its position among the rule's events at the key. */
class Candidate {
  readonly item: Ingested;
  readonly seq: number;
  constructor(item: Ingested, seq: number) {
    this.item = item;
    this.seq = seq;
  }
}

export class CorrelationState {
  /** Candidates per role, oldest first. */
  readonly roles: Candidate[][];
  constructor(roles: Candidate[][]) {
    this.roles = roles;
  }
}

/** CorrelationState after a structured clone: its fields, without the classes. */
interface CorrelationData {
  readonly roles: readonly (readonly { readonly item: unknown; readonly seq: number }[])[];
}

export function correlationOperator(rule: CorrelationRule, bounds: StateBounds, obs: Observer | undefined = undefined): Operator {
  const roles = rule.roles;
  /** Explain mode: the role that had no usable candidate in the last choose() that found none. */
  let missing = -1;
  const accepts = obs === undefined
    ? (role: CorrelationRole, e: AnyEvent, ctx: unknown): boolean => role.kind === e.kind && (role.where === undefined || role.where(e, ctx))
    : (role: CorrelationRole, e: AnyEvent, ctx: unknown): boolean => role.kind === e.kind &&
      (role.where === undefined || obs.evaluate(role.name, role.where as (e: AnyEvent, ctx: unknown) => boolean, [['e', e], ['ctx', ctx]]));
  const within = rule.within as number;
  const ordered = rule.order === 'ordered';
  const skipPast = rule.skip === 'skip-past-last-event';
  const skipOverlapping = rule.skip === 'skip-overlapping';

  /** Chooses one candidate per role with `item` in role r, or null when the set is incomplete. */
  function choose(state: CorrelationState, r: number, item: Ingested, seq: number): Candidate[] | null {
    const chosen: Candidate[] = new Array<Candidate>(roles.length);
    const self = new Candidate(item, seq);
    chosen[r] = self;
    const horizon = item.event.ts - within;
    if (ordered) {
      if (r !== roles.length - 1) {
        missing = -1;
        return null;
      }
      let before = seq;
      for (let j = r - 1; j >= 0; j--) {
        const list = state.roles[j] as Candidate[];
        let pick: Candidate | undefined;
        for (let i = list.length - 1; i >= 0; i--) {
          const c = list[i] as Candidate;
          if (c.seq < before && c.item.event.ts >= horizon) {
            pick = c;
            break;
          }
        }
        if (pick === undefined) {
          missing = j;
          return null;
        }
        chosen[j] = pick;
        before = pick.seq;
      }
      return chosen;
    }
    const used = new Set<number>([seq]);
    for (let j = 0; j < roles.length; j++) {
      if (j === r) continue;
      const list = state.roles[j] as Candidate[];
      let pick: Candidate | undefined;
      for (let i = list.length - 1; i >= 0; i--) {
        const c = list[i] as Candidate;
        if (!used.has(c.seq) && c.item.event.ts >= horizon) {
          pick = c;
          break;
        }
      }
      if (pick === undefined) {
        missing = j;
        return null;
      }
      chosen[j] = pick;
      used.add(pick.seq);
    }
    return chosen;
  }

  return {
    create(): CorrelationState {
      const lists: Candidate[][] = [];
      for (let r = 0; r < roles.length; r++) lists.push([]);
      return new CorrelationState(lists);
    },

    restore(data: unknown, reviver: Reviver): CorrelationState {
      const d = data as CorrelationData;
      const lists: Candidate[][] = [];
      for (const list of d.roles) {
        const out: Candidate[] = [];
        for (const c of list) out.push(new Candidate(reviver.ingested(c.item), c.seq));
        lists.push(out);
      }
      return new CorrelationState(lists);
    },

    onEvent(rs: RuleKeyState, item, seq, host) {
      const state = rs.op as CorrelationState;
      const e = item.event;
      const ctx = host.context(rs);
      const matching: number[] = [];
      for (let r = 0; r < roles.length; r++) {
        if (accepts(roles[r] as CorrelationRole, e, ctx)) matching.push(r);
      }
      if (obs !== undefined && roles.some((role) => role.kind === e.kind)) obs.note({ kind: 'candidate', roles: matching.map((r) => (roles[r] as CorrelationRole).name) });
      if (matching.length === 0) return;

      for (const r of matching) {
        const set = choose(state, r, item, seq);
        if (set === null) {
          if (obs !== undefined) obs.note({ kind: 'no-set', role: (roles[r] as CorrelationRole).name, missing: (roles[missing] as CorrelationRole | undefined)?.name ?? '' });
          continue;
        }
        const matched: MatchedStep[] = [];
        const caps: Record<string, unknown> = {};
        let first = Infinity;
        for (let j = 0; j < roles.length; j++) {
          const role = roles[j] as CorrelationRole;
          const c = set[j] as Candidate;
          matched.push({ step: role.name, events: [{ event: c.item.event, source: c.item.source }] });
          caps[role.name] = c.item.event;
          first = Math.min(first, c.item.event.ts);
        }
        const message = rule.message ? rule.message(caps as never, ctx, rs.key) : `${rule.id}: ${rule.description} (key ${rs.key})`;
        host.alert(rs, new Match(matched, first, e.ts, e.ts, {}, message, ''));
        if (skipPast) {
          if (obs !== undefined) obs.note({ kind: 'consumed', events: [...new Set(state.roles.flat().map((c) => c.item.event)), e] });
          for (const list of state.roles) list.length = 0;
          return;
        }
        if (skipOverlapping) {
          // The match's events leave every role they were candidates for; the completing
          // event does not become one.
          if (obs !== undefined) obs.note({ kind: 'consumed', events: set.map((c) => c.item.event) });
          for (let j = 0; j < state.roles.length; j++) {
            state.roles[j] = (state.roles[j] as Candidate[]).filter((c) => !set.some((x) => x.seq === c.seq));
          }
          return;
        }
        break;
      }
      for (const r of matching) {
        const list = state.roles[r] as Candidate[];
        list.push(new Candidate(item, seq));
        let drop = 0;
        while (drop < list.length && (list[drop] as Candidate).item.event.ts < e.ts - within) drop++;
        if (list.length - drop > bounds.maxPartialMatches) {
          const over = list.length - drop - bounds.maxPartialMatches;
          drop += over;
          host.overflow(rs, over);
        }
        if (drop > 0) list.splice(0, drop);
      }
    },

    onTimer() {
      // Correlations decide on events only.
    },

    prune(rs, horizon) {
      const state = rs.op as CorrelationState;
      let left = 0;
      for (let r = 0; r < state.roles.length; r++) {
        const list = (state.roles[r] as Candidate[]).filter((c) => c.item.event.ts >= horizon - within);
        state.roles[r] = list;
        left += list.length;
      }
      return left === 0;
    },

    held(rs) {
      let n = 0;
      for (const list of (rs.op as CorrelationState).roles) n += list.length;
      return n;
    },

    inspect(rs, horizon): OperatorView {
      const state = rs.op as CorrelationState;
      // What prune would drop is not shown: the view does not depend on when sweeps ran.
      return {
        kind: 'correlation',
        roles: roles.map((role, r) => ({ role: role.name, candidates: (state.roles[r] as Candidate[]).filter((c) => c.item.event.ts >= horizon - within).map((c) => c.item.event) })),
      };
    },
  };
}
