// The input topics as the service reads them, and the start-up errors a bad topics section gives.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/config.ts';
import { CepError } from '../../../src/core/errors.ts';
import { inputsOf } from '../../../src/config/inputs.ts';

const base = { kafka: { brokers: ['h:9092'] }, output: { alerts: 'a', deadLetter: 'd', state: 's' } };
const details = (f: () => unknown): readonly string[] => {
  try {
    f();
  } catch (err) {
    if (err instanceof CepError) return [err.code, ...err.details];
    throw err;
  }
  return [];
};

describe('input topics', () => {
  it('groups kinds by topic in kind order and gives plain-Avro topics their own schema ids', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cepheus-inputs-'));
    writeFileSync(join(dir, 'trade.avsc'), JSON.stringify({ type: 'record', name: 'Trade', namespace: 'io.cepheus.events', fields: [] }));
    const c = validateConfig({ ...base, registry: { url: 'http://r:8081' }, topics: { login: 'events', transfer: 'events', order: 'orders', trade: { topic: 'trades', format: 'avro', schema: join(dir, 'trade.avsc') } } });
    const inputs = inputsOf(c);
    expect(inputs.topics).toEqual([
      { topic: 'events', kinds: ['login', 'transfer'], format: 'confluent', schemaId: 0 },
      { topic: 'orders', kinds: ['order'], format: 'confluent', schemaId: 0 },
      { topic: 'trades', kinds: ['trade'], format: 'avro', schemaId: -1 },
    ]);
    expect(inputs.plainSchemas.map((s) => [s.id, s.kind, s.schema === null ? null : 'file'])).toEqual([[-1, 'trade', 'file']]);
  });

  it('names what to fix: a plain topic with two kinds, a missing schema file, no registry for framed topics', () => {
    const c = validateConfig({ ...base, topics: { login: { topic: 'x', format: 'avro' }, transfer: { topic: 'x', format: 'avro' }, trade: { topic: 'y', format: 'avro', schema: '/nope.avsc' }, order: 'z' } });
    expect(details(() => inputsOf(c))).toEqual([
      'CEP_ERR_CONFIG',
      'topics: plain-Avro topic x is configured for login and transfer; a plain record cannot say its kind: give each kind its own topic or use format confluent',
      "topics.trade.schema: cannot read /nope.avsc: ENOENT: no such file or directory, open '/nope.avsc'",
      'registry.url: Confluent-framed topics (z) need a schema registry; set registry.url or use format avro',
    ]);
  });
});
