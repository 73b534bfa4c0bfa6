// Registering against subjects someone else configured: Cepheus keeps a subject's own
// compatibility level (it used to force BACKWARD and failed with CEP_ERR_INTERNAL on any
// other), and a schema the level refuses stops with a coded message saying what to do.
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { CepError } from '../../src/core/errors.ts';
import { SchemaResolver, registryClient } from '../../src/kafka/registry.ts';
import { REGISTRY_URL } from './support/env.ts';
import { kafkaAvailable, uniqueTopic } from './support/kafka.ts';

const loginSchema = readFileSync(new URL('../../schemas/login.avsc', import.meta.url), 'utf8');

async function setLevel(subject: string, compatibility: string): Promise<void> {
  const res = await fetch(`${REGISTRY_URL}/config/${subject}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ compatibility }) });
  expect(res.status).toBe(200);
}
const levelOf = async (subject: string): Promise<string> => ((await (await fetch(`${REGISTRY_URL}/config/${subject}`)).json()) as { compatibilityLevel: string }).compatibilityLevel;

describe.skipIf(!kafkaAvailable())('schema registration and subject compatibility', () => {
  const resolver = new SchemaResolver(registryClient({ url: REGISTRY_URL }), pino({ level: 'silent' }));

  it('registers under a subject set to FULL and leaves its level alone; a new subject gets BACKWARD', async () => {
    const full = `${uniqueTopic('compat.full')}-value`;
    const first = await resolver.register(loginSchema, full);
    await setLevel(full, 'FULL');
    expect(await resolver.register(loginSchema, full)).toBe(first);
    expect(await levelOf(full)).toBe('FULL');
    const fresh = `${uniqueTopic('compat.fresh')}-value`;
    await resolver.register(loginSchema, fresh);
    expect(await levelOf(fresh)).toBe('BACKWARD');
  });

  it('refuses, with a code and what to do, a schema the subject level rejects', async () => {
    const subject = `${uniqueTopic('compat.strict')}-value`;
    const other = JSON.stringify({ type: 'record', name: 'Other', namespace: 'x', fields: [{ name: 'n', type: 'int' }] });
    await resolver.register(other, subject);
    await setLevel(subject, 'FULL_TRANSITIVE');
    const err = await resolver.register(loginSchema, subject).catch((e: unknown) => e);
    expect(err instanceof CepError ? [err.code, err.details] : err).toEqual([
      'CEP_ERR_SCHEMA_INCOMPATIBLE', ['register it under another subject (another topic), or have the subject\'s owner lower its compatibility level'],
    ]);
    expect((err as Error).message).toMatch(new RegExp(`^CEP_ERR_SCHEMA_INCOMPATIBLE: subject ${subject.replaceAll('.', '\\.')} \\(compatibility FULL_TRANSITIVE\\) refuses Cepheus's schema: `));
  });
});
