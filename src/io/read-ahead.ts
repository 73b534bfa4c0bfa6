// Reading an event file on another thread, so that parsing and validation (JSON.parse, the
// field checks, avsc) run beside the engine instead of before it, one batch ahead:
//
//   reading thread (read-ahead-worker.ts)          this thread
//   readEvents(path) ─► Avro-encode ─► batch ──────► fast Avro read (avro-fast.ts) ─► ReadItem[]
//                                        ◄── ack ──┘  (at most 4 batches ahead)
//
// The events come out exactly as readEvents gives them, in file order: the Avro round trip is
// exact for Cepheus's types (doubles, safe longs, well-formed strings; an event with a string
// UTF-8 cannot carry travels as itself), and the fast reader builds the canonical shape. Its
// strings of repeated fields are interned, so the engine's key maps hash each key once.
import { Worker } from 'node:worker_threads';
import { CepError } from '../core/errors.ts';
import type { ErrorCode } from '../core/errors.ts';
import { EVENT_KINDS } from '../events/types.ts';
import type { AnyEvent } from '../events/types.ts';
import { AvroCursor, fastReaderOf } from './avro-fast.ts';
import type { FastRead } from './avro-fast.ts';
import { recordTypeOf } from './confluent-frame.ts';
import type { ReadItem } from './read-events.ts';
import { eventFromAvro } from './validate-event.ts';

export interface ReadAheadStart {
  readonly path: string;
  /** Records per batch. */
  readonly batch: number;
}

export type ReadAheadMessage =
  | { readonly type: 'batch'; readonly count: number; readonly kinds: Uint8Array; readonly bytes: Uint8Array; readonly side: readonly (readonly [number, ReadItem])[] }
  | { readonly type: 'end' }
  | { readonly type: 'error'; readonly error: { readonly code: ErrorCode; readonly detail: string; readonly details: readonly string[] } };

const READERS: readonly (FastRead | undefined)[] = EVENT_KINDS.map((k) => fastReaderOf(k, recordTypeOf(k)));

/** One record the fast reader declined (it cannot happen for bytes avsc wrote; kept exact anyway). */
function slowRead(buf: Buffer, c: AvroCursor, k: number, path: string, record: number): ReadItem {
  const kind = EVENT_KINDS[k] as AnyEvent['kind'];
  const { value, offset } = recordTypeOf(kind).decode(buf, c.pos);
  c.pos = offset;
  const r = eventFromAvro(value as Record<string, unknown>, kind, { file: path, record, unit: 'record' });
  return 'code' in r ? { error: r } : { event: r };
}

/** The items of `path` (as readEvents gives them), a batch at a time, read and parsed on another thread. */
export async function* readEventsAhead(path: string, batch = 4096): AsyncGenerator<ReadItem[]> {
  const worker = new Worker(new URL('./read-ahead-worker.ts', import.meta.url), { workerData: { path, batch } satisfies ReadAheadStart });
  const queue: ReadAheadMessage[] = [];
  let wake: (() => void) | undefined;
  let failure: unknown;
  worker.on('message', (m: ReadAheadMessage) => {
    queue.push(m);
    wake?.();
  });
  worker.on('error', (err) => {
    failure = err;
    wake?.();
  });
  const cursor = new AvroCursor();
  let record = 0;
  try {
    for (;;) {
      while (queue.length === 0 && failure === undefined) await new Promise<void>((r) => (wake = r));
      const m = queue.shift();
      if (m === undefined) throw failure;
      if (m.type === 'end') return;
      if (m.type === 'error') throw new CepError(m.error.code, m.error.detail, m.error.details);
      worker.postMessage(0);
      const buf = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.length);
      cursor.pos = 0;
      cursor.end = buf.length;
      const out: ReadItem[] = new Array<ReadItem>(m.count);
      let s = 0;
      for (let i = 0; i < m.count; i++) {
        record++;
        const k = m.kinds[i] as number;
        if (k === 255) {
          out[i] = (m.side[s++] as readonly [number, ReadItem])[1];
          continue;
        }
        const at = cursor.pos;
        const read = READERS[k];
        const e = read === undefined ? undefined : read(buf, cursor);
        if (e !== undefined) out[i] = { event: e };
        else {
          cursor.pos = at;
          out[i] = slowRead(buf, cursor, k, path, record);
        }
      }
      yield out;
    }
  } finally {
    await worker.terminate();
  }
}
