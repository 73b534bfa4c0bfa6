// The reading thread of readEventsAhead (read-ahead.ts): reads, parses and validates an event
// file with readEvents, and posts the results in batches, each event Avro-encoded with
// Cepheus's own record type for its kind into one buffer (moved, not copied):
//
//   readEvents(path) ─► batch: kinds[i] (u8), bytes (record after record), side items ─► main
//
// An item that is not an event (a bad record) or an event with a string UTF-8 cannot carry
// (a lone surrogate from JSON) travels as itself in `side`, at its index, so the main thread
// gets exactly what readEvents gives, in file order. At most AHEAD batches are unacknowledged.
import { parentPort, workerData } from 'node:worker_threads';
import { CepError } from '../core/errors.ts';
import { EVENT_KINDS } from '../events/types.ts';
import type { AnyEvent } from '../events/types.ts';
import { recordTypeOf } from './confluent-frame.ts';
import type { ReadAheadMessage, ReadAheadStart } from './read-ahead.ts';
import type { ReadItem } from './read-events.ts';
import { readEvents } from './read-events.ts';

const AHEAD = 4;
const BYTES = 1 << 20;
const { path, batch } = workerData as ReadAheadStart;
const port = parentPort;
if (port === null) throw new Error('read-ahead-worker runs as a worker thread');

let credit = AHEAD;
let wake: (() => void) | undefined;
port.on('message', () => {
  credit++;
  wake?.();
});

const KIND_INDEX = new Map(EVENT_KINDS.map((k, i) => [k, i] as const));
const TYPES = EVENT_KINDS.map((k) => recordTypeOf(k));

/** True when every string of the event survives UTF-8 (no lone surrogates). */
function wellFormed(e: AnyEvent): boolean {
  for (const k in e) {
    const v = (e as unknown as Record<string, unknown>)[k];
    if (typeof v === 'string' && !v.isWellFormed()) return false;
  }
  return true;
}

let bytes = Buffer.allocUnsafe(BYTES);
let pos = 0;
let kinds = new Uint8Array(batch);
let count = 0;
let side: [number, ReadItem][] = [];

async function send(): Promise<void> {
  while (credit <= 0) await new Promise<void>((r) => (wake = r));
  credit--;
  const out = new Uint8Array(bytes.buffer, bytes.byteOffset, pos).slice();
  const msg: ReadAheadMessage = { type: 'batch', count, kinds, bytes: out, side };
  port?.postMessage(msg, [out.buffer, kinds.buffer]);
  pos = 0;
  kinds = new Uint8Array(batch);
  count = 0;
  side = [];
}

try {
  for await (const item of readEvents(path)) {
    if ('event' in item && wellFormed(item.event)) {
      const k = KIND_INDEX.get(item.event.kind) as number;
      const type = TYPES[k] as (typeof TYPES)[number];
      let at = type.encode(item.event, bytes, pos);
      if (at < 0) {
        // Not enough room: send what is there and start again (a record larger than the buffer gets a buffer of its size).
        if (count > 0) await send();
        at = type.encode(item.event, bytes, 0);
        if (at < 0) {
          const one = type.toBuffer(item.event);
          bytes = Buffer.allocUnsafe(Math.max(BYTES, one.length));
          one.copy(bytes, 0);
          at = one.length;
        }
      }
      pos = at;
      kinds[count++] = k;
    } else {
      side.push([count, item]);
      kinds[count++] = 255;
    }
    if (count === batch) await send();
  }
  if (count > 0) await send();
  port.postMessage({ type: 'end' } satisfies ReadAheadMessage);
} catch (err) {
  const e = err instanceof CepError ? { code: err.code, detail: err.detail, details: err.details } : { code: 'CEP_ERR_INTERNAL' as const, detail: err instanceof Error ? err.message : String(err), details: [] };
  port.postMessage({ type: 'error', error: e } satisfies ReadAheadMessage);
}
