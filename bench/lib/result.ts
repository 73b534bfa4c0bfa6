// The shape of a bench result file (bench/results/<stamp>/result.json, bench/baseline/*.json).
// Sections added later are optional, so every format-1 file stays readable.
import type { AgainstResult } from './against.ts';
import type { KafkaResult } from './kafka.ts';
import type { MachineInfo } from './machine.ts';
import type { LatencyResult, StateResult, ThroughputResult } from './scenarios.ts';

export interface BenchResult {
  readonly format: 1;
  readonly startedAt: string;
  readonly machine: MachineInfo;
  readonly config: { readonly events: number; readonly rates: readonly number[]; readonly seed: number; readonly stateAccounts: number };
  readonly throughput: readonly ThroughputResult[];
  readonly latency: readonly LatencyResult[];
  readonly state: readonly StateResult[];
  /** Through a real broker; absent in files written before it existed and when not measured. */
  readonly kafka?: KafkaResult;
  /** `--against <ref>`: this tree and another commit, interleaved in the same run. */
  readonly against?: AgainstResult;
  /** Scenarios the issue asks for that this run could not measure, and why. */
  readonly notMeasured: readonly { readonly scenario: string; readonly reason: string }[];
}
