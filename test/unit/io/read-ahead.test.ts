// Reading ahead on another thread changes where parsing runs, never what comes out: the same
// items as readEvents, in the same order, field order included, for good and bad records,
// both formats, and strings UTF-8 cannot carry; a file that cannot be read fails the same way.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEventsAhead } from '../../../src/io/read-ahead.ts';
import { readEvents } from '../../../src/io/read-events.ts';
import type { ReadItem } from '../../../src/io/read-events.ts';
import { SAMPLE_EVENTS } from './sample-events.ts';

const dir = mkdtempSync(join(tmpdir(), 'cepheus-read-ahead-'));

async function both(path: string, batch: number): Promise<[string[], string[]]> {
  const plain: string[] = [];
  for await (const item of readEvents(path)) plain.push(JSON.stringify(item));
  const ahead: string[] = [];
  for await (const items of readEventsAhead(path, batch)) for (const item of items) ahead.push(JSON.stringify(item satisfies ReadItem));
  return [plain, ahead];
}

describe('readEventsAhead', () => {
  it('gives the default fixture exactly as readEvents does (Avro and JSON Lines)', async () => {
    for (const path of ['fixtures/default.avro', 'fixtures/default.jsonl']) {
      const [plain, ahead] = await both(path, 1000);
      expect(plain.length).toBeGreaterThan(30_000);
      expect(ahead).toEqual(plain);
    }
  });

  it('keeps bad lines, lone surrogates and extreme doubles in place', async () => {
    const path = join(dir, 'mixed.jsonl');
    const lines = SAMPLE_EVENTS.map((e) => JSON.stringify(e));
    const login = SAMPLE_EVENTS.find((e) => e.kind === 'login') as (typeof SAMPLE_EVENTS)[number];
    const trade = SAMPLE_EVENTS.find((e) => e.kind === 'trade') as (typeof SAMPLE_EVENTS)[number];
    lines.splice(1, 0, '{not json', JSON.stringify({ ...login, device: 'dev-\ud800' }), JSON.stringify({ ...trade, qty: 5e-324, price: 1.7976931348623157e308 }), '', JSON.stringify({ kind: 'trade' }));
    writeFileSync(path, `${lines.join('\n')}\n`);
    const [plain, ahead] = await both(path, 2);
    expect(plain.some((l) => l.includes('CEP_ERR_INPUT_JSON'))).toBe(true);
    expect(ahead).toEqual(plain);
  });

  it('fails as readEvents does on a file it cannot read', async () => {
    const missing = join(dir, 'missing.jsonl');
    await expect(both(missing, 10)).rejects.toThrow(/CEP_ERR_INPUT_OPEN/);
    const ahead = async (): Promise<void> => {
      for await (const items of readEventsAhead(missing)) expect(items).toBeDefined();
    };
    await expect(ahead()).rejects.toMatchObject({ code: 'CEP_ERR_INPUT_OPEN' });
  });
});
