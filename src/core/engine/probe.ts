// Per-rule evaluation timing, sampled. The core reads no clock: the probe brings one (the
// adapter's performance.now), and is undefined on the normal path, where the engine's only
// cost is one test per event. With a probe, one event in `every` is timed around each rule's
// onEvent; every other event runs exactly as without one.
export interface RuleProbe {
  /** Time one processed event in this many (1: every event). */
  readonly every: number;
  /** A monotonic clock in milliseconds. */
  now(): number;
  /** The rule at `ruleIndex` (its position in the engine's rule list) took `ms` on one event. */
  record(ruleIndex: number, ms: number): void;
}
