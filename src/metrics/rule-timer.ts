// Probes for the engine's sampled per-rule evaluation timing (src/core/engine/probe.ts).
// One processed event in EVALUATION_SAMPLE_EVERY is timed around each rule reading it: timing
// every event costs two clock reads per rule per event (15-25% of the engine's throughput with the
// bundled rules, measured on the fixture, 7 interleaved runs each), one in 16 stays within the
// runs' noise (0-3%).
// Samples are uniform over events, so percentiles and rates of the sampled distribution are
// those of all evaluations; Prometheus `_count` counts sampled evaluations (multiply by 16 for
// all of them, or read cepheus_rule_events_total).
// - In a shard thread, BufferedRuleTimer collects (rule index, µs) pairs that travel back with
//   each deliver result and are recorded on the main thread.
// - In process (the demo), directRuleTimer records into the LatencyRecorder at once.
import type { RuleProbe } from '../core/engine/index.ts';
import type { LatencyRecorder } from './latency.ts';

export const EVALUATION_SAMPLE_EVERY = 16;
/** Pairs kept between two drains at most (a shard drains once per round). */
const MAX_PAIRS = 65_536;

const clock = (): number => performance.now();

export class BufferedRuleTimer implements RuleProbe {
  readonly every: number;
  readonly now = clock;
  private buf = new Float64Array(1024);
  private n = 0;
  /** Samples dropped because nobody drained (never, in the service). */
  dropped = 0;

  constructor(every = EVALUATION_SAMPLE_EVERY) {
    this.every = every;
  }

  record(ruleIndex: number, ms: number): void {
    if (this.n + 2 > this.buf.length) {
      if (this.buf.length >= MAX_PAIRS * 2) {
        this.dropped++;
        return;
      }
      const bigger = new Float64Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.n++] = ruleIndex;
    this.buf[this.n++] = ms * 1000;
  }

  /** The (rule index, µs) pairs since the last drain. */
  drain(): Float64Array {
    const out = this.buf.slice(0, this.n);
    this.n = 0;
    return out;
  }
}

/** Records drained pairs; `ruleIds[i]` is the id of the rule at index i in the engine's list. */
export function recordEvaluations(latency: LatencyRecorder, ruleIds: readonly string[], pairs: Float64Array): void {
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const id = ruleIds[pairs[i] as number];
    if (id !== undefined) latency.recordEvaluation(id, pairs[i + 1] as number);
  }
}

export function directRuleTimer(latency: LatencyRecorder, ruleIds: readonly string[], every = EVALUATION_SAMPLE_EVERY): RuleProbe {
  return {
    every, now: clock,
    record: (ruleIndex, ms) => {
      const id = ruleIds[ruleIndex];
      if (id !== undefined) latency.recordEvaluation(id, ms * 1000);
    },
  };
}
