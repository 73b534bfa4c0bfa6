// What goes to and comes back from the worker thread that replays a file for a tool
// (run_backtest, explain_key): plain data only, since it crosses the thread boundary by
// structured clone. A job names rule modules by file and rules by id (a rule is code and
// cannot be sent); a failure comes back with our code when the job raised one.
import type { Alert } from '../core/alert.ts';
import type { ErrorCode } from '../core/errors.ts';
import type { Verdict } from '../core/explain/expect.ts';
import type { ExplainOptions } from '../core/explain/explain.ts';
import type { Entry, Explanation } from '../core/explain/timeline.ts';
import type { ReplaySummary } from '../replay/replay.ts';
import type { RuleScore } from '../replay/score.ts';

/** What ended the read: the file (or `to`) was read to the end, or a bound stopped it. */
export type StoppedBy = 'end' | 'maxEvents' | 'maxWallMs';

interface FileJob {
  /** Rule module files to load. */
  readonly files: readonly string[];
  /** The rules of those modules to run. */
  readonly ids: readonly string[];
  /** The event file's real path, already checked to be under the allowed directory. */
  readonly input: string;
  readonly maxEvents: number;
  readonly maxWallMs: number;
}

export interface BacktestJob extends FileJob {
  readonly kind: 'backtest';
  readonly sampleAlerts: number;
}

export interface ExplainJob extends FileJob {
  readonly kind: 'explain';
  readonly rule: string;
  readonly key: string;
  /** Event ids that should have raised an alert (empty: no why-not question). */
  readonly expect: readonly string[];
  readonly from: number | undefined;
  readonly to: number | undefined;
  /** The runner's engine options, so the replay decides as the runner does. */
  readonly engine: NonNullable<ExplainOptions['engine']>;
}

export type WorkerJob = BacktestJob | ExplainJob;

export interface BacktestDone {
  readonly kind: 'backtest';
  readonly summary: Omit<ReplaySummary, 'rules'>;
  readonly stoppedBy: StoppedBy;
  readonly sample: readonly Omit<Alert, 'matched' | 'context' | 'aggregates'>[];
  readonly scores: Readonly<Record<string, RuleScore>> | null;
}

export interface WhyNot {
  readonly verdict: Verdict;
  /** The one sentence, as `cepheus explain --expect` prints it. */
  readonly answer: string;
  /** The timeline entries it rests on: the expected events' and the one where the candidate was lost. */
  readonly evidence: readonly Entry[];
}

export interface ExplainDone {
  readonly kind: 'explain';
  readonly stoppedBy: StoppedBy;
  /** Records read (events and unreadable records). */
  readonly recordsRead: number;
  readonly inputErrors: number;
  readonly explanation: Explanation;
  /** The answer to `expect` (null without it). */
  readonly whyNot: WhyNot | null;
  /** `path:line` of the rule's definition. */
  readonly source: string;
  /** The rule in a line or two: kind, bound, strategy, steps / window / roles. */
  readonly ruleLines: readonly string[];
  /** What `cepheus explain` prints for the same question. */
  readonly text: string;
}

export type WorkerDone = BacktestDone | ExplainDone;

export type WorkerReply =
  | { readonly ok: true; readonly done: WorkerDone }
  | { readonly ok: false; readonly code: ErrorCode | null; readonly message: string };
