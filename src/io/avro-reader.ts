// Reads an Avro object container file as a stream of events, block by block (never the whole
// file in memory). The file's writer schema may be our union (any branch order) or a single
// record named Login / Order / Trade / Transfer (an export of one kind): records are resolved
// to the union by name. Each record is then checked like a JSON line (validate-event.ts).
import { createReadStream } from 'node:fs';
import avro from 'avsc';
import type { AnyEvent, EventKind } from '../events/types.ts';
import { EVENT_UNION_TYPE, KIND_BY_NAME } from './event-schema.ts';
import { fileError } from './input-error.ts';
import type { InputError } from './input-error.ts';
import { eventFromAvro, validateEvent } from './validate-event.ts';

export type ReadItem = { readonly event: AnyEvent } | { readonly error: InputError };

function fileLevel(path: string, err: unknown, headerRead: boolean): Error {
  const msg = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR')) {
    return fileError('CEP_ERR_INPUT_OPEN', path, `cannot open: ${msg}`);
  }
  if (!headerRead && /cannot read|resolv|incompatible|no matching|unknown type/i.test(msg)) {
    return fileError('CEP_ERR_INPUT_AVRO_SCHEMA', path,
      `the file's writer schema cannot be read as Cepheus events (${msg}); write records named io.cepheus.events.Login/Order/Trade/Transfer, or their union`);
  }
  return fileError('CEP_ERR_INPUT_AVRO', path, `not a readable Avro object container file (${msg})`);
}

export async function* readAvroEvents(path: string): AsyncGenerator<ReadItem> {
  const decoder = new avro.streams.BlockDecoder({ readerSchema: EVENT_UNION_TYPE });
  const input = createReadStream(path);
  let headerRead = false;
  decoder.once('metadata', () => {
    headerRead = true;
  });
  input.on('error', (err) => decoder.destroy(err));
  input.pipe(decoder);
  let record = 0;
  try {
    for await (const wrapped of decoder as AsyncIterable<Record<string, unknown>>) {
      record++;
      let name = '';
      for (const k in wrapped) {
        name = k;
        break;
      }
      const kind: EventKind | undefined = KIND_BY_NAME.get(name);
      // Decoded with Cepheus's own types (the container's schema resolves to them): the fast path.
      const at = { file: path, record, unit: 'record' } as const;
      const r = kind === undefined ? validateEvent(undefined, at) : eventFromAvro(wrapped[name] as Record<string, unknown>, kind, at);
      yield 'code' in r ? { error: r } : { event: r };
    }
  } catch (err) {
    throw fileLevel(path, err, headerRead);
  } finally {
    input.destroy();
    decoder.destroy();
  }
}
