// Records packed for the trip to and between shard threads (PackedRecords in protocol.ts):
//
//   bytes    v0 v1 v2 ...        ends[i]      end of value i in bytes (values back to back),
//                                             -1: record i has a null value (a tombstone)
//   keys     k0 k2 ...           keyEnds[i]   end of key i in keys, -1: record i has no key
//   offsets[i], timestamps[i]    one per record; forwards also carry streams[i]
//
// Every array owns its ArrayBuffer whole (never a view into a pool), so the buffers can be
// transferred rather than copied: transferablesOf lists them. Packing and reading back are
// inverse: RecordCursor returns each record's value, key, offset and timestamp as packed (a
// null value apart from an empty one, so a dead letter carries the original bytes).
import type { Forward, PackedRecords, RawRecord, ShardResult, ShardTask } from './protocol.ts';

/** Packs values into one buffer + end offsets (-1 for a null value), ready to transfer. */
export function packBatch(values: readonly (Uint8Array | null)[]): { bytes: ArrayBuffer; ends: Int32Array } {
  let total = 0;
  for (const v of values) total += v?.length ?? 0;
  const bytes = new ArrayBuffer(total);
  const view = new Uint8Array(bytes);
  const ends = new Int32Array(values.length);
  let at = 0;
  values.forEach((v, i) => {
    if (v === null) {
      ends[i] = -1;
      return;
    }
    view.set(v, at);
    at += v.length;
    ends[i] = at;
  });
  return { bytes, ends };
}

/** Packs keys back to back: `keyEnds[i]` the end of key i, -1 for no key. */
export function packKeys(keys: readonly (Uint8Array | null)[] | undefined, n: number): { keys: ArrayBuffer; keyEnds: Int32Array } {
  let total = 0;
  if (keys !== undefined) for (const k of keys) total += k?.length ?? 0;
  const bytes = new ArrayBuffer(total);
  const view = new Uint8Array(bytes);
  const keyEnds = new Int32Array(n).fill(-1);
  let at = 0;
  if (keys !== undefined) {
    for (let i = 0; i < n; i++) {
      const k = keys[i];
      if (k === null || k === undefined) continue;
      view.set(k, at);
      at += k.length;
      keyEnds[i] = at;
    }
  }
  return { keys: bytes, keyEnds };
}

/** Packs records (values, null ones too, offsets, and optionally keys and timestamps: 0 when absent) into transferable buffers. */
export function packRecords(values: readonly (Uint8Array | null)[], offsets: ArrayLike<number>, keys?: readonly (Uint8Array | null)[], timestamps?: ArrayLike<number>): PackedRecords {
  const { bytes, ends } = packBatch(values);
  const ts = new Float64Array(values.length);
  if (timestamps !== undefined) for (let i = 0; i < values.length; i++) ts[i] = timestamps[i] ?? 0;
  return { bytes, ends, offsets: Float64Array.from(offsets), ...packKeys(keys, values.length), timestamps: ts };
}

/** Collects the records a home shard routes to one other shard, with their streams, offsets, keys and timestamps. */
export class ForwardBuilder {
  readonly to: number;
  private bytes: Buffer;
  private used = 0;
  private readonly ends: number[] = [];
  private readonly streams: number[] = [];
  private readonly offsets: number[] = [];
  private readonly keys: (Uint8Array | null)[] = [];
  private readonly timestamps: number[] = [];

  constructor(to: number, capacity: number) {
    this.to = to;
    this.bytes = Buffer.allocUnsafe(Math.max(256, capacity));
  }

  add(value: Buffer, key: Uint8Array | null, stream: number, offset: number, timestamp: number): void {
    if (this.used + value.length > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.used + value.length));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    value.copy(this.bytes, this.used);
    this.used += value.length;
    this.ends.push(this.used);
    this.streams.push(stream);
    this.offsets.push(offset);
    this.keys.push(key);
    this.timestamps.push(timestamp);
  }

  build(): Forward {
    const bytes = new ArrayBuffer(this.used);
    new Uint8Array(bytes).set(this.bytes.subarray(0, this.used));
    return {
      to: this.to, bytes, ends: Int32Array.from(this.ends), streams: Uint32Array.from(this.streams), offsets: Float64Array.from(this.offsets),
      ...packKeys(this.keys, this.keys.length), timestamps: Float64Array.from(this.timestamps),
    };
  }
}

/** Reads records back out of a PackedRecords, in order: next() moves on, the rest reads the current one. */
export class RecordCursor {
  private readonly buf: Buffer;
  private readonly keyBuf: Buffer;
  private readonly p: PackedRecords;
  private from = 0;
  private nullValue = false;
  private keyFrom = 0;
  private keyStart = -1;
  private i = -1;

  constructor(p: PackedRecords) {
    this.p = p;
    this.buf = Buffer.from(p.bytes);
    this.keyBuf = Buffer.from(p.keys);
  }

  get length(): number {
    return this.p.ends.length;
  }

  /** The next record's value (a view into the batch; empty for a null value: see isNull). */
  next(): Buffer {
    const end = this.p.ends[++this.i] as number;
    this.nullValue = end < 0;
    const v = this.nullValue ? this.buf.subarray(this.from, this.from) : this.buf.subarray(this.from, end);
    if (!this.nullValue) this.from = end;
    const k = this.p.keyEnds[this.i] as number;
    if (k >= 0) {
      this.keyStart = this.keyFrom;
      this.keyFrom = k;
    } else {
      this.keyStart = -1;
    }
    return v;
  }

  /** The current record's value is null (a tombstone), not merely empty. */
  isNull(): boolean {
    return this.nullValue;
  }

  /** The current record's key, a view (null: none). */
  key(): Uint8Array | null {
    return this.keyStart < 0 ? null : this.keyBuf.subarray(this.keyStart, this.keyFrom);
  }

  offset(): number {
    return this.p.offsets[this.i] as number;
  }

  timestamp(): number {
    return this.p.timestamps[this.i] as number;
  }

  /** The current record, copied out of the batch for a dead letter. */
  raw(value: Uint8Array): RawRecord {
    const key = this.key();
    return { key: key === null ? null : new Uint8Array(key), value: this.nullValue ? null : new Uint8Array(value), timestamp: this.timestamp() };
  }
}

/** The buffers of a task or result, for the transfer list (each once). */
export function transferablesOf(x: ShardTask | ShardResult): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const add = (f: PackedRecords & { streams?: Uint32Array }): void => {
    out.push(f.bytes, f.ends.buffer as ArrayBuffer, f.offsets.buffer as ArrayBuffer, f.keys, f.keyEnds.buffer as ArrayBuffer, f.timestamps.buffer as ArrayBuffer);
    if (f.streams !== undefined) out.push(f.streams.buffer as ArrayBuffer);
  };
  switch (x.op) {
    case 'ingest':
      if ('parts' in x) for (const p of x.parts) add(p);
      else for (const f of x.forwards) add(f);
      break;
    case 'deliver':
      if ('forwards' in x) for (const f of x.forwards) add(f);
      break;
    case 'round':
      if ('parts' in x) for (const p of x.parts) add(p);
      else for (const f of x.ingest.forwards) add(f);
      break;
    case 'snapshot':
      if ('bytes' in x) out.push(x.bytes.buffer as ArrayBuffer);
      break;
    case 'init': case 'info': case 'state': case 'context':
      break;
    default: {
      const never: never = x;
      throw new Error(`unknown message ${JSON.stringify(never)}`);
    }
  }
  return [...new Set(out)];
}
