// Reads a JSON Lines event file line by line: each non-blank line is one event object with
// its `kind`. A bad line becomes an InputError item naming the line and field; reading goes on.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileError, inputError } from './input-error.ts';
import type { ReadItem } from './avro-reader.ts';
import { validateEvent } from './validate-event.ts';

export async function* readJsonlEvents(path: string): AsyncGenerator<ReadItem> {
  const input = createReadStream(path);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      if (text.trim() === '') continue;
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (err) {
        yield { error: inputError('CEP_ERR_INPUT_JSON', path, line, 'line', `not valid JSON (${err instanceof Error ? err.message : String(err)})`) };
        continue;
      }
      const r = validateEvent(raw, { file: path, record: line, unit: 'line' });
      yield 'code' in r ? { error: r } : { event: r };
    }
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw fileError('CEP_ERR_INPUT_OPEN', path, `cannot read: ${msg}`);
  } finally {
    lines.close();
    input.destroy();
  }
}
