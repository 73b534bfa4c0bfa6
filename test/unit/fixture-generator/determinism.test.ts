// Same seed and options ⇒ byte-identical files (both formats, and the labels); another seed
// ⇒ different files.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateFile } from '../../../src/fixture-generator/generate-file.ts';
import type { GenOptions } from '../../../src/fixture-generator/options.ts';

const dir = mkdtempSync(join(tmpdir(), 'cepheus-gen-'));
const small: Partial<GenOptions> = { events: 4_000, accounts: 80, instruments: 12, days: 12, positives: 1, nearMisses: 1 };

async function bytesOf(name: string, options: Partial<GenOptions>): Promise<{ file: Buffer; labels: Buffer }> {
  const r = await generateFile(join(dir, name), options);
  return { file: readFileSync(r.file), labels: readFileSync(r.labelsFile) };
}

describe('generator determinism', () => {
  it.each(['avro', 'jsonl'])('two runs with the same seed are byte-identical (%s)', async (ext) => {
    const a = await bytesOf(`a1.${ext}`, { ...small, seed: 7 });
    const b = await bytesOf(`a2.${ext}`, { ...small, seed: 7 });
    expect(a.file.length).toBeGreaterThan(10_000);
    expect(a.file.equals(b.file)).toBe(true);
    expect(a.labels.equals(b.labels)).toBe(true);
  });

  it.each(['avro', 'jsonl'])('different seeds give different files (%s)', async (ext) => {
    const a = await bytesOf(`s1.${ext}`, { ...small, seed: 7 });
    const b = await bytesOf(`s2.${ext}`, { ...small, seed: 8 });
    expect(a.file.equals(b.file)).toBe(false);
    expect(a.labels.equals(b.labels)).toBe(false);
  });

  it('both formats carry the same events and the same labels', async () => {
    const a = await generateFile(join(dir, 'f.avro'), { ...small, seed: 9 });
    const j = await generateFile(join(dir, 'f.jsonl'), { ...small, seed: 9 });
    expect(readFileSync(a.labelsFile, 'utf8')).toBe(readFileSync(j.labelsFile, 'utf8'));
    expect(a.events).toBe(j.events);
  });
});
