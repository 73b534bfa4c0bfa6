import { createWriteStream, mkdtempSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { loadEventSchemas } from '../../../src/events/schemas.ts';
import type { ReadItem } from '../../../src/io/index.ts';
import { eventToJsonLine, readEvents } from '../../../src/io/index.ts';
import { SAMPLE_EVENTS } from './sample-events.ts';

const dir = mkdtempSync(join(tmpdir(), 'cepheus-io-err-'));

async function all(path: string): Promise<ReadItem[]> {
  const out: ReadItem[] = [];
  for await (const item of readEvents(path)) out.push(item);
  return out;
}

/** Writes an Avro container with any schema (a user's own export), waiting until it is on disk. */
async function writeRaw(path: string, schema: avro.Schema, records: readonly unknown[]): Promise<void> {
  const enc = new avro.streams.BlockEncoder(schema);
  const out = createWriteStream(path);
  enc.pipe(out);
  for (const r of records) enc.write(r);
  enc.end();
  await once(out, 'close');
}

async function codeOf(path: string): Promise<string> {
  try {
    await all(path);
    return 'no error';
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

describe('readEvents: per-record errors', () => {
  it('reports each bad JSON line with its code, line and field, and keeps reading', async () => {
    const good = SAMPLE_EVENTS[0];
    const trade = SAMPLE_EVENTS[4];
    if (good === undefined || trade === undefined) throw new Error('fixture');
    const path = join(dir, 'mixed.jsonl');
    const tradeLine = JSON.parse(eventToJsonLine(trade)) as Record<string, unknown>;
    writeFileSync(path, [
      eventToJsonLine(good),
      '{"kind":"login", "id": ',
      '{"id":"x"}',
      '{"kind":"quote","id":"x"}',
      '',
      JSON.stringify({ ...tradeLine, ts: '2026-01-05' }),
      JSON.stringify({ ...tradeLine, side: 'HOLD' }),
      JSON.stringify({ ...tradeLine, qty: undefined }),
      JSON.stringify({ ...tradeLine, orderId: undefined, counterpartyAccount: undefined, extra: 1 }),
      '[1,2]',
    ].join('\n'));
    const items = await all(path);
    const summary = items.map((x) => ('event' in x ? `event ${x.event.id}` : `${x.error.code} ${x.error.record} ${x.error.field ?? '-'}`));
    expect(summary).toStrictEqual([
      'event ev-1',
      'CEP_ERR_INPUT_JSON 2 -',
      'CEP_ERR_INPUT_KIND 3 kind',
      'CEP_ERR_INPUT_KIND 4 kind',
      'CEP_ERR_INPUT_FIELD_TYPE 6 ts',
      'CEP_ERR_INPUT_FIELD_TYPE 7 side',
      'CEP_ERR_INPUT_FIELD_MISSING 8 qty',
      'event ev-5',
      'CEP_ERR_INPUT_JSON 10 -',
    ]);
    // A nullable field may be omitted (reads as null); unknown fields are dropped.
    expect(items[7]).toStrictEqual({ event: { ...trade, orderId: null, counterpartyAccount: null } });
    const err = items[5];
    expect(err !== undefined && 'error' in err ? err.error.message : '').toBe(
      `CEP_ERR_INPUT_FIELD_TYPE: ${path}: line 7: field 'side': expected one of BUY | SELL, got "HOLD"`);
  });

  it('reads an Avro export of a single kind (writer schema = one record)', async () => {
    const tradeSchema = loadEventSchemas().find((s) => s.kind === 'trade')?.schema;
    const path = join(dir, 'trades-only.avro');
    const trades = SAMPLE_EVENTS.filter((e) => e.kind === 'trade');
    await writeRaw(path, tradeSchema as avro.Schema, trades);
    expect(await all(path)).toStrictEqual(trades.map((event) => ({ event })));
  });

  it('whole-file problems throw a CepError with a code', async () => {
    writeFileSync(join(dir, 'text.avro'), 'not an avro file at all');
    expect(await codeOf(join(dir, 'text.avro'))).toBe('CEP_ERR_INPUT_AVRO');
    expect(await codeOf(join(dir, 'missing.jsonl'))).toBe('CEP_ERR_INPUT_OPEN');
    expect(await codeOf(join(dir, 'missing.avro'))).toBe('CEP_ERR_INPUT_OPEN');
    expect(() => readEvents(join(dir, 'events.csv'))).toThrow(/CEP_ERR_INPUT_FORMAT/);
    const other = join(dir, 'other.avro');
    await writeRaw(other, { type: 'record', name: 'Quote', fields: [{ name: 'bid', type: 'double' }] }, [{ bid: 1 }]);
    expect(await codeOf(other)).toBe('CEP_ERR_INPUT_AVRO_SCHEMA');
  });
});
