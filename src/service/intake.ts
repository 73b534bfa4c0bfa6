// Records in, and the recovery hold. A record below its stream's next offset was read before
// (a refetch) and is dropped. While any stream recovers (re-reads up to its committed offset
// with outputs suppressed), a record at or past a stream's committed offset is held: it would
// move event time further than the run that committed ever saw. The recovery is done when
// every stream reached its committed offset; then the held records are released, in order.
import type { InputMessage } from '../kafka/source.ts';

/** Records of one batch, split: to dispatch, to hold; and the stream's next offset after them. */
export interface Intake {
  readonly pending: InputMessage[];
  readonly held: InputMessage[];
  readonly next: number;
}

/** `holdFrom`: records at or past this offset are held (Infinity: none, -Infinity: all). */
export function intake(next: number, messages: readonly InputMessage[], holdFrom: number): Intake {
  const pending: InputMessage[] = [];
  const held: InputMessage[] = [];
  let n = next;
  for (const m of messages) {
    if (m.offset < n) continue;
    if (m.offset >= holdFrom) held.push(m);
    else pending.push(m);
    n = m.offset + 1;
  }
  return { pending, held, next: n };
}

/**
 * Writer schema ids a batch of Confluent-framed values uses. Records of a topic nearly always
 * share one id, so only changes are looked at.
 */
export function schemaIdsOf(messages: readonly InputMessage[]): Set<number> {
  const ids = new Set<number>();
  let prev = -1;
  for (const m of messages) {
    const v = m.value;
    if (v === null || v.length < 5 || v[0] !== 0) continue;
    const id = v.readInt32BE(1);
    if (id !== prev) ids.add(id);
    prev = id;
  }
  return ids;
}

/** What a recovering run holds back, per stream. Exists only while the service recovers. */
export class RecoveryHold {
  private readonly recoverTo: (number | null)[];
  private readonly held: InputMessage[][];
  /** The recovery's last step (wait for the replayed rounds) has begun. */
  finishing = false;
  private released = false;

  /** `recoverTo[i]`: the committed offset stream i re-reads up to (null: nothing to re-read). */
  constructor(recoverTo: readonly (number | null)[]) {
    this.recoverTo = [...recoverTo];
    this.held = recoverTo.map(() => []);
  }

  /** A hold is needed when some stream has something to re-read. */
  static of(recoverTo: readonly (number | null)[]): RecoveryHold | undefined {
    return recoverTo.some((r) => r !== null) ? new RecoveryHold(recoverTo) : undefined;
  }

  /** Records of `stream` at or past this offset are held: its committed offset, or all once it is there. */
  holdFrom(stream: number): number {
    return this.recoverTo[stream] ?? -Infinity;
  }

  recovering(stream: number): boolean {
    return (this.recoverTo[stream] ?? null) !== null;
  }

  /** True when the recovery is done: every stream reached its committed offset. */
  get done(): boolean {
    return this.recoverTo.every((r) => r === null);
  }

  hold(stream: number, records: readonly InputMessage[]): void {
    // Records held after the release would be lost without a trace: a caller bug, said loudly.
    if (this.released) throw new Error('RecoveryHold: records held after the hold was released (the run should be live)');
    this.held[stream]?.push(...records);
  }

  /**
   * The stream was read up to `next`. Returns 'reached' when this made it reach its committed
   * offset (it must then wait for the others: pause it) or 'last' when it was the last one.
   */
  advance(stream: number, next: number): 'reached' | 'last' | null {
    const to = this.recoverTo[stream];
    if (to === null || to === undefined || next < to) return null;
    this.recoverTo[stream] = null;
    return this.done ? 'last' : 'reached';
  }

  /** The held records, per stream, in offset order; the hold is empty afterwards. */
  release(): InputMessage[][] {
    this.released = true;
    return this.held.map((h) => h.splice(0));
  }
}
