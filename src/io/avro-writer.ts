// Avro object container writer: one interleaved stream of all kinds under the union schema
// (event-schema.ts), deflate blocks by default. Blocks are encoded in place (avsc's
// `Type#encode` into one reusable buffer, zlib's raw deflate per block), which is several
// times faster than pushing one object per event through avsc's BlockEncoder stream.
// The sync marker is derived from the header (schema, codec, metadata) rather than drawn at
// random, so equal inputs give equal bytes.
//
//   file   = "Obj\x01" meta:map<bytes> sync:fixed(16) block*
//   block  = count:long size:long data:bytes[size] sync
//   record = union branch index:long (0 login, 1 order, 2 trade, 3 transfer) + the record
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { deflateRawSync } from 'node:zlib';
import avro from 'avsc';
import type { EventKind } from '../events/types.ts';
import { EVENT_KINDS } from '../events/types.ts';
import { EVENT_UNION_SCHEMA, EVENT_UNION_TYPE } from './event-schema.ts';
import type { EventWriter, WriteResult } from './event-writer.ts';

export interface AvroWriterOptions {
  /** Block codec (default deflate). */
  readonly codec?: 'deflate' | 'null';
  /** Uncompressed bytes per block before it is flushed (default 64 KiB). */
  readonly blockSize?: number;
  /** Extra header metadata (e.g. the generator's seed and options). */
  readonly metadata?: Readonly<Record<string, string>>;
}

const MAGIC = Buffer.from('Obj\x01', 'latin1');
const META_TYPE = avro.Type.forSchema({ type: 'map', values: 'bytes' });
const LONG_TYPE = avro.Type.forSchema('long');
const BRANCHES = (EVENT_UNION_TYPE as unknown as { types: avro.Type[] }).types;
const BRANCH_OF = Object.fromEntries(EVENT_KINDS.map((k, i) => [k, i])) as Record<EventKind, number>;

function header(codec: string, metadata: Readonly<Record<string, string>>, sync: Buffer): Buffer {
  const meta: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(metadata)) meta[k] = Buffer.from(v);
  meta['avro.schema'] = Buffer.from(JSON.stringify(EVENT_UNION_SCHEMA));
  meta['avro.codec'] = Buffer.from(codec);
  return Buffer.concat([MAGIC, META_TYPE.toBuffer(meta), sync]);
}

export function createAvroWriter(path: string, options: AvroWriterOptions = {}): EventWriter {
  const codec = options.codec ?? 'deflate';
  const blockSize = Math.max(1024, options.blockSize ?? 64 * 1024);
  const sync = createHash('sha256')
    .update(JSON.stringify(EVENT_UNION_SCHEMA)).update(codec).update(JSON.stringify(options.metadata ?? {}))
    .digest().subarray(0, 16);
  const out = createWriteStream(path);
  let failed: Error | undefined;
  out.on('error', (err) => {
    failed ??= err;
  });
  out.write(header(codec, options.metadata ?? {}, sync));
  let buf = Buffer.alloc(blockSize * 2);
  let pos = 0;
  let count = 0;
  let events = 0;

  const flush = (): boolean => {
    if (count === 0) return true;
    const raw = buf.subarray(0, pos);
    const data = codec === 'deflate' ? deflateRawSync(raw) : Buffer.from(raw);
    const ok = out.write(Buffer.concat([LONG_TYPE.toBuffer(count), LONG_TYPE.toBuffer(data.length), data, sync]));
    pos = 0;
    count = 0;
    return ok;
  };

  return {
    write(e) {
      if (failed !== undefined) throw failed;
      const branch = BRANCH_OF[e.kind];
      let wait = false;
      for (;;) {
        buf[pos] = branch << 1; // zig-zag long, one byte for 0..3
        const end = (BRANCHES[branch] as avro.Type).encode(e, buf, pos + 1);
        if (end > 0) {
          pos = end;
          break;
        }
        // Did not fit: flush the block so far, or grow for one outsized record.
        if (count > 0) wait = !flush() || wait;
        else buf = Buffer.alloc(buf.length * 2);
      }
      count++;
      events++;
      if (pos >= blockSize) wait = !flush() || wait;
      return wait ? once(out, 'drain').then(() => undefined) : undefined;
    },
    async close(): Promise<WriteResult> {
      flush();
      out.end();
      await once(out, 'close');
      if (failed !== undefined) throw failed;
      return { events, bytes: out.bytesWritten };
    },
  };
}
