// JSON Lines writer: one event per line, `kind` first, then the schema's fields in schema
// order (canonical, so the same events always give the same bytes).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { AnyEvent } from '../events/types.ts';
import { KIND_SPECS } from './event-schema.ts';
import type { EventWriter, WriteResult } from './event-writer.ts';

const FIELD_NAMES = Object.fromEntries(Object.values(KIND_SPECS).map((s) => [s.kind, s.fields.map((f) => f.name)])) as Record<AnyEvent['kind'], string[]>;

/** One event as its canonical JSON line (without the newline). */
export function eventToJsonLine(e: AnyEvent): string {
  const o: Record<string, unknown> = { kind: e.kind };
  const src = e as unknown as Record<string, unknown>;
  for (const name of FIELD_NAMES[e.kind]) o[name] = src[name];
  return JSON.stringify(o);
}

const CHUNK = 64 * 1024;

export function createJsonlWriter(path: string): EventWriter {
  const out = createWriteStream(path);
  let failed: Error | undefined;
  out.on('error', (err) => {
    failed = err;
  });
  let pending = '';
  let events = 0;
  const flush = (): Promise<void> | undefined => {
    if (failed !== undefined) throw failed;
    const ok = out.write(pending);
    pending = '';
    return ok ? undefined : once(out, 'drain').then(() => undefined);
  };
  return {
    write(e) {
      pending += `${eventToJsonLine(e)}\n`;
      events++;
      return pending.length >= CHUNK ? flush() : undefined;
    },
    async close(): Promise<WriteResult> {
      if (pending.length > 0) await flush();
      out.end();
      await once(out, 'finish');
      if (failed !== undefined) throw failed;
      return { events, bytes: out.bytesWritten };
    },
  };
}
