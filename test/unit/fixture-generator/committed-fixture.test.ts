// The committed fixture cannot rot: regenerating it from the options in its labels gives the
// same labels and JSON Lines byte for byte, and the same Avro records in the same order.
// Avro is compared by content, not bytes: Node bundles Chromium's zlib, whose deflate output
// may differ between CPU families and Node releases (it still inflates to the same data).
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnyEvent } from '../../../src/events/types.ts';
import { generateFile } from '../../../src/fixture-generator/generate-file.ts';
import { readEventsStrict } from '../../../src/io/read-events.ts';
import type { Labels } from '../../../src/fixture-generator/labels.ts';
import { DEFAULT_GEN_OPTIONS } from '../../../src/fixture-generator/options.ts';

const FIXTURES = join(import.meta.dirname, '../../../fixtures');
const labels = JSON.parse(readFileSync(join(FIXTURES, 'default.labels.json'), 'utf8')) as Labels;
const dir = mkdtempSync(join(tmpdir(), 'cepheus-fixture-'));

async function all(path: string): Promise<AnyEvent[]> {
  const out: AnyEvent[] = [];
  for await (const e of readEventsStrict(path)) out.push(e);
  return out;
}

describe('fixtures/default', () => {
  it('was generated with the default options (so `cepheus gen --out fixtures/default.avro` remakes it)', () => {
    expect(labels.options).toStrictEqual(DEFAULT_GEN_OPTIONS);
  });

  it.each(['avro', 'jsonl'])('default.%s equals a fresh generation', async (ext) => {
    const committed = join(FIXTURES, `default.${ext}`);
    if (ext === 'jsonl' && !existsSync(committed)) return;
    const fresh = await generateFile(join(dir, `default.${ext}`), labels.options);
    if (ext === 'jsonl') expect(readFileSync(fresh.file).equals(readFileSync(committed))).toBe(true);
    else expect(await all(fresh.file)).toStrictEqual(await all(committed));
    expect(readFileSync(fresh.labelsFile, 'utf8')).toBe(readFileSync(join(FIXTURES, 'default.labels.json'), 'utf8'));
  });

  it('plants positives for every rule and lists its late events', () => {
    const rules = new Set(labels.scenarios.filter((s) => s.kind === 'positive').map((s) => s.rule));
    expect(rules.size).toBe(10);
    expect(labels.late.length).toBeGreaterThan(0);
    expect(labels.stats.events).toBe(labels.options.events);
  });
});
