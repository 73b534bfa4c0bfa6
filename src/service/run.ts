// A run: one ownership of the assigned partitions, from the restore that starts it to the
// assignment, restart or stop that retires it. It holds everything that exists only while
// the instance owns partitions: the stream table, the shards (rounds), the dispatcher, the
// committer and the idle watch. Retiring a run detaches it from the consumer and makes its
// queued dispatches, commits and idle polls do nothing: work still holding it cannot apply.
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { Alert } from '../core/alert.ts';
import type { CepError } from '../core/errors.ts';
import type { OutputBatch, TransactionalSink } from '../kafka/sink.ts';
import type { RuleChangeSpec } from '../workers/protocol.ts';
import type { Rounds } from '../workers/rounds.ts';
import type { ArrivalLog } from './arrivals.ts';
import { Committer } from './commit.ts';
import type { CheckpointBook } from './commit.ts';
import type { CommitFailure } from './commit-failure.ts';
import type { Committed, Counters } from './counters.ts';
import { Dispatcher } from './dispatch.ts';
import type { RoundTag } from './dispatch.ts';
import { IdleWatch } from './idle.ts';
import type { StreamTable } from './stream-table.ts';

/** What a run needs from the process around it. */
export interface RunContext {
  readonly config: Config;
  readonly rules: readonly { readonly id: string; readonly version: number }[];
  readonly sink: Pick<TransactionalSink, 'commit'>;
  readonly encodeAlert: (alert: Alert) => Promise<Buffer>;
  readonly highWatermarks: (run: Run) => Promise<ReadonlyMap<number, number>>;
  readonly counters: Counters;
  readonly arrivals: ArrivalLog;
  readonly log: Logger;
  readonly now: () => number;
  readonly defer?: (f: () => void) => void;
  /** The run's shards failed: restore from the last checkpoint. */
  readonly failed: (run: Run, err: unknown) => void;
  /** The run's commit failed (classified): restore from the last checkpoint, waiting first when it repeats. */
  readonly commitFailed: (run: Run, err: unknown, f: CommitFailure) => void;
  /** Each output topic's max.message.bytes. */
  readonly limitOf: (topic: string) => number;
  readonly fenced: (err: CepError) => void;
  readonly committed: (c: Committed) => void;
  /** A stream went idle, or all did (flushed up to `flushedTo`). */
  readonly idleChanged: (run: Run, flushedTo: number | undefined) => void;
  /** The control-log records of the rule changes a commit's rounds carried (rule-log.ts). */
  readonly controlRecords?: (changes: readonly RuleChangeSpec[]) => OutputBatch | undefined;
}

export class Run {
  readonly table: StreamTable;
  readonly rounds: Rounds<RoundTag>;
  readonly dispatcher: Dispatcher;
  readonly committer: Committer;
  readonly idle: IdleWatch;
  private over = false;

  /** `flushedTo`: the restored watermark (nothing before it waits for a flush). */
  constructor(c: RunContext, table: StreamTable, rounds: Rounds<RoundTag>, book: CheckpointBook, flushedTo: number) {
    this.table = table;
    this.rounds = rounds;
    const live = (): boolean => !this.over;
    const failed = (err: unknown): void => c.failed(this, err);
    this.dispatcher = new Dispatcher({
      rounds, table, maxInFlight: c.config.maxInFlight, counters: c.counters, arrivals: c.arrivals, live, failed, ...(c.defer === undefined ? {} : { defer: c.defer }),
    });
    this.committer = new Committer({
      streams: table.streams, rounds, dispatcher: this.dispatcher, config: c.config, rules: c.rules, sink: c.sink, encodeAlert: c.encodeAlert,
      now: c.now, live, committed: c.committed, failed, fenced: c.fenced, limitOf: c.limitOf,
      commitFailed: (err, f) => c.commitFailed(this, err, f),
      ...(c.controlRecords === undefined ? {} : { controlRecords: c.controlRecords }),
    }, book);
    this.idle = new IdleWatch({
      streams: table.streams, rounds, idleTimeoutMs: c.config.idleTimeoutMs, highWatermarks: () => c.highWatermarks(this),
      changed: (flushedTo) => c.idleChanged(this, flushedTo),
      pollFailed: (err) => c.log.warn({ err }, 'could not read high watermarks for idle detection'),
    }, flushedTo);
  }

  /**
   * Takes the consumer in hand: every partition at its stream's start; while `recovering`
   * says some stream re-reads, the others wait (paused) until it is back.
   */
  begin(recovering: ((stream: number) => boolean) | undefined): void {
    this.table.open();
    if (recovering !== undefined) for (const s of this.table.streams) if (!recovering(s.index)) this.table.pause(s, 'recovery');
  }

  get retired(): boolean {
    return this.over;
  }

  /** The run is over: nothing it still has queued reaches the consumer, the shards or the sink. */
  retire(): void {
    this.over = true;
    this.table.detach();
  }

  /** Waits for a commit in flight, then stops the shards (their uncommitted work is dropped). */
  async close(): Promise<void> {
    await this.committer.settled();
    await this.rounds.close().catch(() => undefined);
  }
}
