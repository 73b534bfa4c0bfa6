// The labels file written next to every generated fixture (`<name>.labels.json`): the options
// that regenerate it, what was planted where, and which events were delivered late.
import type { EventKind } from '../events/types.ts';
import type { GenOptions } from './options.ts';
import type { SCENARIO_PARAMS, ScenarioRuleId } from './scenario-params.ts';
import type { ScenarioLabel } from './scenarios/scenario-kit.ts';

export type { ScenarioLabel } from './scenarios/scenario-kit.ts';

export const LABELS_FORMAT = 'cepheus-labels/1';

export interface GenStats {
  readonly events: number;
  readonly byKind: Readonly<Record<EventKind, number>>;
  readonly backgroundEvents: number;
  /** Planted events, pattern and context. */
  readonly scenarioEvents: number;
  readonly accounts: { readonly background: number; readonly scenario: number };
  readonly firstEventTs: number | null;
  readonly lastEventTs: number | null;
  /** Events delivered after an event with a later time (any distance). */
  readonly disordered: number;
  /** Largest (max time delivered so far − event time) among events not labelled late, in ms. */
  readonly maxInBoundLagMs: number;
}

export interface Labels {
  readonly format: typeof LABELS_FORMAT;
  readonly seed: number;
  /** Resolved options: `cepheus gen` with these regenerates the file byte for byte. */
  readonly options: GenOptions;
  /** The thresholds the scenarios were planted against. */
  readonly params: typeof SCENARIO_PARAMS;
  readonly stats: GenStats;
  readonly scenarios: readonly ScenarioLabel[];
  /** Scenario variants that did not fit the timeline. */
  readonly skipped: readonly { readonly rule: ScenarioRuleId; readonly variant: string; readonly reason: string }[];
  /** Ids of events delivered more than `options.disorderBoundMs` behind the largest event time
   *  before them: what a replay with that out-of-orderness bound counts as late. Never a
   *  planted event. */
  readonly late: readonly string[];
}
