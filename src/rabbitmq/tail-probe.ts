// The end of a RabbitMQ stream, asked of RabbitMQ. AMQP has no "end of stream" query, so a
// probe consumer starts at the last message the reader took (`known - 1`, which RabbitMQ must
// deliver: it is serving the stream now) and what follows it says how far the stream goes.
// A stream never read from ends at 0 when queue.declare reports it empty and the probe gets
// nothing. No answer within the timeouts: unknown (undefined), never "read to its end" --
// a stalled node must not let event time run ahead of what the stream still holds.
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';

/** The offset RabbitMQ puts in each message of a stream (an AMQP long: a number, or {value}). */
export function streamOffsetOf(m: Pick<ConsumeMessage, 'properties'>): number | undefined {
  const h = (m.properties.headers ?? {})['x-stream-offset'] as unknown;
  const v = typeof h === 'object' && h !== null && 'value' in h ? (h as { value: unknown }).value : h;
  const n = typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : undefined;
  return n !== undefined && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** How long a tail probe waits for RabbitMQ's first delivery, and the quiet gap after one that ends it. */
const PROBE_MS = 1000;
const PROBE_GAP_MS = 250;
const PROBE_PREFETCH = 1000;
const PROBE_TIMEOUT_MS = 3000;

/**
 * The largest offset at or after `from` that a consumer started at `from` receives (undefined
 * when nothing came within PROBE_MS); `ch` has its prefetch set.
 */
function largestFrom(ch: Channel, stream: string, from: number): Promise<number | undefined> {
  return new Promise<number | undefined>((resolve, reject) => {
    let max: number | undefined;
    let tag: string | undefined;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (tag !== undefined) ch.cancel(tag).catch(() => undefined);
      resolve(max);
    };
    let timer = setTimeout(finish, PROBE_MS);
    ch.consume(stream, (m) => {
      if (m === null || done) return;
      ch.ack(m);
      const o = streamOffsetOf(m);
      if (o === undefined || o < from) return;
      if (max === undefined || o > max) max = o;
      // What follows `from` in its chunk comes right behind it: a short quiet gap ends the probe.
      clearTimeout(timer);
      timer = setTimeout(finish, PROBE_GAP_MS);
    }, { noAck: false, arguments: { 'x-stream-offset': from } }).then((r) => {
      tag = r.consumerTag;
      if (done) ch.cancel(r.consumerTag).catch(() => undefined);
    }, (err: unknown) => {
      done = true;
      clearTimeout(timer);
      reject(err instanceof Error ? err : new Error(String(err)));
    });
  });
}

/** The stream's tail (offset after its last message) as RabbitMQ gives it now; undefined when unknown. */
export async function probeStreamTail(conn: ChannelModel, stream: string, known: number): Promise<number | undefined> {
  // A node that stops answering mid-probe (stalled, not yet seen as gone) must not hold the
  // idle check: unknown after PROBE_TIMEOUT_MS (the probe still closes its channel).
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), PROBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([probe(conn, stream, known), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function probe(conn: ChannelModel, stream: string, known: number): Promise<number | undefined> {
  let ch: Channel | undefined;
  try {
    ch = await conn.createChannel();
    ch.on('error', () => undefined);
    const { messageCount } = await ch.checkQueue(stream);
    await ch.prefetch(PROBE_PREFETCH);
    const max = await largestFrom(ch, stream, Math.max(0, known - 1));
    if (max !== undefined) return Math.max(known, max + 1);
    return known === 0 && messageCount === 0 ? 0 : undefined;
  } catch {
    return undefined;
  } finally {
    await ch?.close().catch(() => undefined);
  }
}
