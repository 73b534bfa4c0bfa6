// Avro object container writer: one interleaved stream of all kinds under the union schema
// (event-schema.ts), deflate blocks by default. The sync marker is derived from the header
// (schema, codec, metadata) rather than drawn at random, so equal inputs give equal bytes.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import avro from 'avsc';
import type { AnyEvent } from '../events/types.ts';
import { EVENT_UNION_SCHEMA, KIND_SPECS } from './event-schema.ts';
import type { EventWriter, WriteResult } from './event-writer.ts';

export interface AvroWriterOptions {
  /** Block codec (default deflate). */
  readonly codec?: 'deflate' | 'null';
  /** Uncompressed bytes per block before it is flushed (default 64 KiB). */
  readonly blockSize?: number;
  /** Extra header metadata (e.g. the generator's seed and options). */
  readonly metadata?: Readonly<Record<string, string>>;
}

const FULL_NAME = Object.fromEntries(Object.values(KIND_SPECS).map((s) => [s.kind, s.fullName])) as Record<AnyEvent['kind'], string>;

export function createAvroWriter(path: string, options: AvroWriterOptions = {}): EventWriter {
  const codec = options.codec ?? 'deflate';
  const metadata = Object.fromEntries(Object.entries(options.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v)]));
  const syncMarker = createHash('sha256')
    .update(JSON.stringify(EVENT_UNION_SCHEMA)).update(codec).update(JSON.stringify(options.metadata ?? {}))
    .digest().subarray(0, 16);
  // 'always': the header goes out even for zero events, so an empty stream is a valid file.
  const encoderOptions = { codec, syncMarker, metadata, blockSize: options.blockSize ?? 64 * 1024, writeHeader: 'always' as const };
  const encoder = new avro.streams.BlockEncoder(EVENT_UNION_SCHEMA as avro.Schema, encoderOptions);
  const out = createWriteStream(path);
  let failed: Error | undefined;
  const fail = (err: Error): void => {
    failed ??= err;
  };
  encoder.on('error', fail);
  out.on('error', fail);
  encoder.pipe(out);
  let events = 0;
  return {
    write(e) {
      if (failed !== undefined) throw failed;
      events++;
      // The union is wrapped: { 'io.cepheus.events.Trade': event }. avsc writes the schema's
      // fields by name and ignores the TS-only `kind`.
      const ok = encoder.write({ [FULL_NAME[e.kind]]: e });
      return ok ? undefined : once(encoder, 'drain').then(() => undefined);
    },
    async close(): Promise<WriteResult> {
      encoder.end();
      await once(out, 'close');
      if (failed !== undefined) throw failed;
      return { events, bytes: out.bytesWritten };
    },
  };
}
