// The Avro schemas are the source of truth: the committed TypeScript types must be exactly
// what the generator makes of them, and every schema must parse and round-trip in avsc.
import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { generateEventTypes } from '../../../src/events/codegen.ts';
import { loadEventSchemas } from '../../../src/events/schemas.ts';
import { EVENT_KINDS } from '../../../src/events/types.ts';

describe('event schemas and types', () => {
  it('src/events/generated.ts is what schemas/*.avsc generate (run `npm run gen:types` after changing a schema)', () => {
    const committed = readFileSync(new URL('../../../src/events/generated.ts', import.meta.url), 'utf8');
    expect(committed).toBe(generateEventTypes(loadEventSchemas()));
  });

  it('has one schema per event kind, each parsing in avsc with a millisecond timestamp', () => {
    const schemas = loadEventSchemas();
    expect(schemas.map((s) => s.kind)).toEqual([...EVENT_KINDS]);
    for (const { schema } of schemas) {
      const type = avro.Type.forSchema(schema as avro.Schema);
      const ts = schema.fields.find((f) => f.name === 'ts');
      expect(ts?.type).toEqual({ type: 'long', logicalType: 'timestamp-millis' });
      expect(type.name).toMatch(/^io\.cepheus\.events\./);
    }
  });

  it('round-trips a login through Avro unchanged', () => {
    const login = loadEventSchemas().find((s) => s.kind === 'login');
    const type = avro.Type.forSchema(login?.schema as avro.Schema);
    const value = { id: 'l1', ts: 1767571200000, account: 'A1', success: false, failureReason: 'BAD_PASSWORD', ip: '10.0.0.1', device: 'd1', country: 'GB', userAgent: 'ua' };
    expect(type.fromBuffer(type.toBuffer(value))).toEqual(value);
  });
});
