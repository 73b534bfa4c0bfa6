// Explain mode: replays events through the rules with an observer on one (rule, key) and
// returns its timeline and final state (timeline.ts). The engine is the normal one, restricted
// to the key (as a shard is to its keys) and without sweeps, so expiry is narrated when the
// next event finds a match past its deadline; every rule runs, so contexts and key lifetimes
// are those of the real run.
import type { AnyEvent, SourceRef } from '../../events/types.ts';
import { createEngine } from '../engine/index.ts';
import type { EngineOptions } from '../engine/index.ts';
import { CepError } from '../errors.ts';
import type { AnyRule } from '../rule-types.ts';
import { Narrator } from './narrator.ts';
import type { Entry, Explanation } from './timeline.ts';

export interface ExplainOptions {
  readonly ruleId: string;
  readonly key: string;
  readonly engine?: Partial<Omit<EngineOptions, 'owns' | 'explain' | 'sweepIntervalMs'>>;
  /** The timeline shows entries at or after this event time. */
  readonly from?: number;
  /** The timeline and the input end at this event time: the state is as of `to`. */
  readonly to?: number;
  /**
   * At the end of the input: `flush` releases buffered events and decides deadlines up to the
   * last event time (or `to`), as replay does; `hold` keeps them, as a live engine would.
   */
  readonly end?: 'flush' | 'hold';
}

export interface Explainer {
  /** Feeds one event; false once the input is past `to` (stop feeding). */
  push(event: AnyEvent, source?: SourceRef | null): boolean;
  finish(): Explanation;
}

/** Starts explaining; throws CEP_ERR_EXPLAIN_RULE when no rule has the id. */
export function explainer(rules: readonly AnyRule[], opts: ExplainOptions): Explainer {
  const rule = rules.find((r) => r.id === opts.ruleId);
  if (rule === undefined) {
    throw new CepError('CEP_ERR_EXPLAIN_RULE', `no rule '${opts.ruleId}' among the loaded rules`, [`loaded: ${rules.map((r) => r.id).join(', ')}`]);
  }
  const narrator = new Narrator();
  const engine = createEngine(rules, {
    ...opts.engine,
    // Sweeps only reclaim memory; without them an expiry is told when the next event finds it.
    sweepIntervalMs: Number.MAX_SAFE_INTEGER,
    owns: (space, key) => space === rule.key.name && key === opts.key,
    explain: { ruleId: rule.id, observer: narrator },
  });
  const ooo = engine.options.outOfOrdernessMs;
  let past = false;
  return {
    push(event, source = null) {
      // An event beyond to + out-of-orderness would move the watermark past `to`.
      if (past || (opts.to !== undefined && event.ts > opts.to + ooo)) {
        past = true;
        return false;
      }
      engine.push(event, source);
      return true;
    },
    finish() {
      if ((opts.end ?? 'flush') === 'flush') {
        if (opts.to === undefined) engine.flush();
        else engine.flush(opts.to);
      }
      engine.drain();
      const inRange = (e: Entry): boolean => (opts.from === undefined || e.at >= opts.from) && (opts.to === undefined || e.at <= opts.to);
      return {
        ruleId: rule.id, ruleKind: rule.kind, key: opts.key, skip: rule.kind === 'threshold' && rule.window.type !== 'sliding' ? null : rule.skip,
        timeline: narrator.entries.filter(inRange).map((e) => ({ ...e, happened: [...e.happened] })),
        matches: Object.fromEntries(narrator.views),
        state: engine.inspect(rule.id, opts.key) as Explanation['state'],
      };
    },
  };
}

/** Explains a finite list of events (see explainer). */
export function explain(rules: readonly AnyRule[], events: Iterable<AnyEvent>, opts: ExplainOptions): Explanation {
  const x = explainer(rules, opts);
  for (const e of events) if (!x.push(e)) break;
  return x.finish();
}
