// A commit is one Kafka transaction: the alerts, dead letters and late events of the rounds
// done since the last commit, the offsets after those rounds and, when due, a checkpoint: a
// cut after the last submitted round (every shard's snapshot) with the stream positions and
// watermarks at the cut. A checkpoint is due every snapshotIntervalMs while something is
// uncommitted, at shutdown, and whenever one was requested (an idle transition, a
// watermark reset, a start without checkpoint); a request made after a cut was drawn is covered only
// by the next one. Commits of a run never overlap.
import { promisify } from 'node:util';
import { deflateRaw } from 'node:zlib';
import type { Config } from '../config/config.ts';
import type { Alert } from '../core/alert.ts';
import { CepError } from '../core/errors.ts';
import { rootMessage } from '../kafka/kafka-errors.ts';
import { isFenced } from '../kafka/sink.ts';
import type { OffsetCommit, OutputBatch, TransactionalSink } from '../kafka/sink.ts';
import type { RuleChangeSpec } from '../workers/protocol.ts';
import type { Cut, Rounds, RoundsOutput, Taken } from '../workers/rounds.ts';
import { checkpointRecords, partKeys } from './checkpoint.ts';
import { classifyCommitError } from './commit-failure.ts';
import type { CommitFailure } from './commit-failure.ts';
import type { CheckpointManifest, CheckpointStream } from './checkpoint.ts';
import type { Committed } from './counters.ts';
import type { Dispatcher, RoundTag } from './dispatch.ts';
import { commitRecords } from './outputs.ts';
import type { Stream } from './stream-table.ts';
import { checkpointPartBytes } from './topic-limits.ts';

const deflate = promisify(deflateRaw);

/** Where checkpoints stand for a run. */
export interface CheckpointBook {
  /** Id of the last checkpoint written (0: none yet). */
  readonly id: number;
  /** Its part keys: the next checkpoint tombstones those it does not reuse. */
  readonly keys: ReadonlySet<string>;
  /** Wall ms it was written (or the run started). */
  readonly at: number;
  /** Checkpoint requests so far, and how many of them the last checkpoint written covers. */
  readonly requested: number;
  readonly covered: number;
}

/** The book of a run restored from `restored` (none: the run must write one soon). */
export function openBook(group: string, restored: Pick<CheckpointManifest, 'id' | 'parts'> | undefined, now: number): CheckpointBook {
  return { id: restored?.id ?? 0, keys: partKeys(group, restored?.parts ?? []), at: now, requested: restored === undefined ? 1 : 0, covered: 0 };
}

export const requestCheckpoint = (b: CheckpointBook): CheckpointBook => ({ ...b, requested: b.requested + 1 });

export interface DueInputs {
  readonly final: boolean;
  readonly now: number;
  readonly intervalMs: number;
  /** Some stream dispatched past its committed offset. */
  readonly uncommitted: boolean;
}

export function checkpointDue(b: CheckpointBook, i: DueInputs): boolean {
  return i.final || b.requested > b.covered || (i.now - b.at >= i.intervalMs && i.uncommitted);
}

/** After a checkpoint drawn when `requested` requests were made was committed at `now`. */
export function checkpointWritten(b: CheckpointBook, keys: ReadonlySet<string>, requested: number, now: number): CheckpointBook {
  return { ...b, id: b.id + 1, keys, at: now, covered: requested };
}

export const uncommitted = (streams: readonly Stream[]): boolean => streams.some((s) => s.dispatched !== s.committed);

/** Moves each stream's committable position past the taken rounds. */
export function advanceCommittable(streams: readonly Stream[], tags: readonly RoundTag[]): void {
  for (const t of tags) {
    for (const [i, pos] of t.positions) {
      const s = streams[i];
      if (s !== undefined) s.committable = pos;
    }
  }
}

export function offsetsToCommit(streams: readonly Stream[]): OffsetCommit[] {
  return streams.filter((s) => s.committable >= 0 && s.committable !== s.committed).map((s) => ({ topic: s.tp.topic, partition: s.tp.partition, offset: BigInt(s.committable) }));
}

const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);

/** The streams' positions and time at a cut (positions: what the rounds through the cut read). */
export function checkpointStreams(streams: readonly Stream[], cut: Pick<Cut, 'maxTs' | 'active'>): CheckpointStream[] {
  return streams.map((s) => ({
    topic: s.tp.topic, partition: s.tp.partition, offset: s.committable >= 0 ? String(s.committable) : null,
    maxTs: finite(cut.maxTs[s.index] ?? -Infinity), active: cut.active[s.index] ?? true, ...(s.held ? { held: true } : {}),
  }));
}

export type CommitRounds = Pick<Rounds<RoundTag>, 'take' | 'cut' | 'completedThrough'>;

export interface CommitDeps {
  readonly streams: readonly Stream[];
  readonly rounds: CommitRounds;
  readonly dispatcher: Pick<Dispatcher, 'cutAfterPending'>;
  readonly config: Pick<Config, 'snapshotIntervalMs' | 'output'> & { readonly kafka: Pick<Config['kafka'], 'groupId'> };
  readonly rules: readonly { readonly id: string; readonly version: number }[];
  readonly sink: Pick<TransactionalSink, 'commit'>;
  readonly encodeAlert: (alert: Alert) => Promise<Buffer>;
  readonly now: () => number;
  /** False once the run is retired: a commit that finds it so applies nothing. */
  readonly live: () => boolean;
  readonly committed: (c: Committed) => void;
  /** The shards failed (cutting a checkpoint, taking rounds): restore from the last checkpoint. */
  readonly failed: (err: unknown) => void;
  /** The transaction failed (classified): restore from the last checkpoint, after a wait when it repeats. */
  readonly commitFailed: (err: unknown, f: CommitFailure) => void;
  /** Another instance took over the transactional id. */
  readonly fenced: (err: CepError) => void;
  /** Each output topic's max.message.bytes: what a commit writes is sized to fit. */
  readonly limitOf: (topic: string) => number;
  /** The control-log records of the rule changes the taken rounds carried: committed with their outputs. */
  readonly controlRecords?: (changes: readonly RuleChangeSpec[]) => OutputBatch | undefined;
}

export class Committer {
  private readonly d: CommitDeps;
  private book: CheckpointBook;
  private inFlight: Promise<void> | undefined;

  constructor(d: CommitDeps, book: CheckpointBook) {
    this.d = d;
    this.book = book;
  }

  get checkpoints(): CheckpointBook {
    return this.book;
  }

  requestCheckpoint(): void {
    this.book = requestCheckpoint(this.book);
  }

  /** One commit; while one runs, that one (or, for a final commit, one more after it). */
  commit(final: boolean): Promise<void> {
    const running = this.inFlight;
    if (running !== undefined) return final ? running.then(() => this.commit(true)) : running;
    const p = this.once(final).finally(() => {
      this.inFlight = undefined;
    });
    this.inFlight = p;
    return p;
  }

  /** Resolves once no commit runs. */
  async settled(): Promise<void> {
    await this.inFlight?.catch(() => undefined);
  }

  private async once(final: boolean): Promise<void> {
    const d = this.d;
    if (!d.live()) return;
    const book = this.book;
    const due = checkpointDue(book, { final, now: d.now(), intervalMs: d.config.snapshotIntervalMs, uncommitted: uncommitted(d.streams) });
    let taken: Taken<RoundTag>;
    let cut: Cut | undefined;
    let snapshots: Uint8Array[] = [];
    try {
      if (due) {
        cut = await d.dispatcher.cutAfterPending(() => d.rounds.cut());
        const raw = await cut.snapshots;
        await d.rounds.completedThrough(cut.through);
        taken = d.rounds.take(cut.through);
        snapshots = await Promise.all(raw.map(async (b) => new Uint8Array(await deflate(b))));
      } else {
        taken = d.rounds.take();
      }
    } catch (err) {
      d.failed(err);
      return;
    }
    if (!d.live()) return;
    advanceCommittable(d.streams, taken.tags);
    const offsets = offsetsToCommit(d.streams);
    const group = d.config.kafka.groupId;
    const checkpoint = cut === undefined ? undefined : {
      ...checkpointRecords({
        format: 1, group, id: book.id + 1, createdAt: new Date(d.now()).toISOString(), streams: checkpointStreams(d.streams, cut), watermark: finite(cut.watermark), rules: d.rules,
      }, snapshots, book.keys, checkpointPartBytes(d.limitOf(d.config.output.state))),
      bytes: snapshots.reduce((n, b) => n + b.length, 0),
    };
    const out: RoundsOutput = taken.output;
    let records: Awaited<ReturnType<typeof commitRecords>>;
    try {
      records = await commitRecords(out, (i) => d.streams[i]?.tp, d.config.output, d.encodeAlert, checkpoint?.records, d.limitOf);
      const control = out.ruleChanges === undefined ? undefined : d.controlRecords?.(out.ruleChanges);
      if (control !== undefined) records.batches.push(control);
      if (records.batches.every((b) => b.records.length === 0) && offsets.length === 0) return;
      await d.sink.commit(records.batches, offsets, group, d.limitOf);
    } catch (err) {
      if (isFenced(err)) {
        d.fenced(new CepError('CEP_ERR_FENCED', `another instance of group ${group} took over (same transactional id); this one stops: ${rootMessage(err)}`, [], { cause: err }));
        return;
      }
      d.commitFailed(err, classifyCommitError(err, d.limitOf));
      return;
    }
    for (const o of offsets) {
      const s = d.streams.find((x) => x.tp.topic === o.topic && x.tp.partition === o.partition);
      if (s !== undefined) s.committed = Number(o.offset);
    }
    if (checkpoint !== undefined) this.book = checkpointWritten(this.book, checkpoint.keys, book.requested, d.now());
    d.committed({
      output: out, deadLetters: records.deadLetters, late: records.late, codes: records.codes, checkpointBytes: checkpoint?.bytes, byReference: records.byReference, trimmed: records.trimmed,
    });
  }
}
