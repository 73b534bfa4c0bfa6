import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReadItem } from '../../../src/io/index.ts';
import { readEvents, readEventsStrict, writeEvents } from '../../../src/io/index.ts';
import { SAMPLE_EVENTS } from './sample-events.ts';

const dir = mkdtempSync(join(tmpdir(), 'cepheus-io-'));

async function all(path: string): Promise<ReadItem[]> {
  const out: ReadItem[] = [];
  for await (const item of readEvents(path)) out.push(item);
  return out;
}

describe('event files round-trip', () => {
  it.each(['events.avro', 'events.jsonl', 'events.ndjson'])('%s: reads back exactly what was written, as plain objects', async (name) => {
    const path = join(dir, name);
    const written = await writeEvents(path, SAMPLE_EVENTS);
    expect(written.events).toBe(SAMPLE_EVENTS.length);
    const items = await all(path);
    expect(items).toStrictEqual(SAMPLE_EVENTS.map((event) => ({ event })));
    for (const item of items) if ('event' in item) expect(Object.getPrototypeOf(item.event)).toBe(Object.prototype);
  });

  it('Avro → JSON Lines gives the same bytes as writing JSON Lines directly', async () => {
    const avro = join(dir, 'a.avro');
    await writeEvents(avro, SAMPLE_EVENTS);
    await writeEvents(join(dir, 'via-avro.jsonl'), readEventsStrict(avro));
    await writeEvents(join(dir, 'direct.jsonl'), SAMPLE_EVENTS);
    expect(readFileSync(join(dir, 'via-avro.jsonl'), 'utf8')).toBe(readFileSync(join(dir, 'direct.jsonl'), 'utf8'));
  });

  it('JSON Lines are canonical: kind first, then schema field order, whatever the input key order', async () => {
    const shuffled = SAMPLE_EVENTS.map((e) => Object.fromEntries(Object.entries(e).reverse()) as unknown as typeof e);
    const path = join(dir, 'shuffled.jsonl');
    await writeEvents(path, shuffled);
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines[1]).toBe('{"kind":"login","id":"ev-2","ts":1767605420000,"account":"AC0000001","success":true,"failureReason":null,"ip":"81.2.69.160","device":"dev-aa","country":"GB","userAgent":"Mozilla/5.0"}');
    expect(lines).toHaveLength(SAMPLE_EVENTS.length + 1);
  });

  it('the same events give byte-identical Avro files (derived sync marker)', async () => {
    await writeEvents(join(dir, 'x1.avro'), SAMPLE_EVENTS);
    await writeEvents(join(dir, 'x2.avro'), SAMPLE_EVENTS);
    expect(readFileSync(join(dir, 'x1.avro')).equals(readFileSync(join(dir, 'x2.avro')))).toBe(true);
  });

  it('an empty stream is still a valid Avro file', async () => {
    const path = join(dir, 'empty.avro');
    await writeEvents(path, []);
    expect(await all(path)).toStrictEqual([]);
  });

  it('streams many blocks without loss (null codec, tiny blocks)', async () => {
    const many = Array.from({ length: 5_000 }, (_, i) => ({ ...SAMPLE_EVENTS[i % SAMPLE_EVENTS.length], id: `ev-${i}` })) as typeof SAMPLE_EVENTS[number][];
    const path = join(dir, 'many.avro');
    await writeEvents(path, many, { avro: { codec: 'null', blockSize: 1024 } });
    const items = await all(path);
    expect(items.map((x) => ('event' in x ? x.event.id : 'error'))).toStrictEqual(many.map((e) => e.id));
  });
});
