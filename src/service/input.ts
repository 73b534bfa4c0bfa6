// Input: a batch the consumer fetched, into its stream. Duplicates (below the stream's next
// offset) are dropped, writer schemas resolved first (a record reaches a shard only once its
// schema id is known there), records past a stream's committed offset held back while the run
// recovers; when every stream is back at its committed offset the recovery ends (the replay's
// outputs were committed by the run that first read them) and the run goes live.
import type { Logger } from 'pino';
import type { SchemaResolver } from '../kafka/registry.ts';
import type { InputBatch } from '../kafka/source.ts';
import type { SchemaSpec } from '../workers/protocol.ts';
import { countRecovered } from './counters.ts';
import type { Counters } from './counters.ts';
import { intake, schemaIdsOf } from './intake.ts';
import type { Run } from './run.ts';
import { consuming, runOf } from './service-state.ts';
import type { ServiceState } from './service-state.ts';

/** What input needs of the pipeline facade. */
export interface InputHost {
  readonly state: () => ServiceState;
  readonly enter: (next: ServiceState) => void;
  /** The run failed: restore from the last checkpoint. */
  readonly restart: (run: Run, err: unknown) => void;
  readonly resolver: Pick<SchemaResolver, 'missing' | 'resolve'> | null;
  /** Writer schemas known to this process (grows). */
  readonly schemas: SchemaSpec[];
  readonly roundMaxValues: number;
  readonly now: () => number;
  readonly counters: Counters;
  readonly log: Logger;
  /** The run went live (after a recovery). */
  readonly live: () => void;
}

/** A batch from the consumer, into its stream's pending records (held back past the committed offset while recovering). */
export async function takeBatch(h: InputHost, b: InputBatch): Promise<void> {
  const arrived = h.state();
  if (arrived.status === 'restoring') {
    // Fetched before the restore seeks every partition: the consumer reads it again from there.
    await arrived.restored;
    return;
  }
  const run = consuming(arrived)?.run;
  const stream = run?.table.of(b);
  if (run === undefined || stream === undefined) return;
  if (b.highWatermark > stream.highWatermark) stream.highWatermark = b.highWatermark;
  const resolver = h.resolver;
  if (resolver !== null && stream.format === 'confluent') {
    // Writer schemas first: a record may only reach a shard once its schema id is known there.
    const missing = resolver.missing(schemaIdsOf(b.messages));
    if (missing.length > 0) {
      const specs = await resolver.resolve(missing);
      h.schemas.push(...specs);
      runOf(h.state())?.rounds.addSchemas(specs);
    }
  }
  const s = consuming(h.state());
  if (s === undefined || s.run !== run) return;
  const hold = s.status === 'recovering' ? s.hold : undefined;
  const taken = intake(stream.next, b.messages, hold?.holdFrom(stream.index) ?? Infinity);
  if (taken.next === stream.next) return;
  stream.next = taken.next;
  stream.lastData = h.now();
  stream.held = false;
  for (const m of taken.pending) stream.pending.push(m);
  if (hold !== undefined) {
    hold.hold(stream.index, taken.held);
    if (hold.advance(stream.index, stream.next) === 'reached') run.table.pause(stream, 'recovery');
  }
  if (run.table.pending() >= h.roundMaxValues) await run.dispatcher.dispatch();
  else run.dispatcher.schedule();
  const after = h.state();
  if (after.status === 'recovering' && after.run === run && after.hold.done) await finishRecovery(h, after);
}

/** Every stream re-read up to its committed offset: the replay's outputs are dropped, the held records released, the run live. */
async function finishRecovery(h: InputHost, s: Extract<ServiceState, { status: 'recovering' }>): Promise<void> {
  const { run, hold } = s;
  if (hold.finishing) return;
  hold.finishing = true;
  try {
    await run.dispatcher.dispatch();
    await run.rounds.barrier();
  } catch (err) {
    h.restart(run, err);
    return;
  }
  if (h.state() !== s) return;
  // Everything so far came from records before the committed offsets: the run that read
  // them committed these outputs already. Only now may commits run again.
  const out = run.rounds.take().output;
  const suppressed = countRecovered(h.counters, out);
  const released = hold.release();
  for (const st of run.table.streams) {
    st.committable = st.dispatched;
    for (const m of released[st.index] ?? []) st.pending.push(m);
  }
  // Live first, then the streams resume: a source may hand over what it buffered while paused
  // from within resume() (the RabbitMQ reader does), and that batch must find the run live.
  // Found recovering, it would go to the hold just released, never to be seen again.
  h.enter({ status: 'live', assignment: s.assignment, run });
  for (const st of run.table.streams) run.table.resume(st, 'recovery');
  h.live();
  h.log.info({ replayed: out.values, suppressed }, 'recovered: caught up with the committed offsets; live');
  run.dispatcher.schedule();
}
