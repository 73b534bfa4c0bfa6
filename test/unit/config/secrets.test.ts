// Passwords come inline, from CEPHEUS_* variables or from a file read at start (a mounted
// secret); a config with both, or with an unreadable file, is refused with the key's name. No
// secret leaves the process in what it prints: log lines are scrubbed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, validateConfig } from '../../../src/config/config.ts';
import { scrubber, secretsOf } from '../../../src/config/secrets.ts';
import { CepError } from '../../../src/core/errors.ts';

const base = { topics: { login: 'l' }, output: { alerts: 'a', deadLetter: 'd', state: 's' } };
const withSasl = (sasl: Record<string, unknown>, registry: Record<string, unknown> | null = null) =>
  ({ ...base, kafka: { brokers: ['h:9093'], sasl: { mechanism: 'scram-sha-512', username: 'cepheus', ...sasl } }, registry });

function refusal(raw: unknown): string[] {
  try {
    validateConfig(raw);
  } catch (err) {
    if (err instanceof CepError) return [...err.details];
    throw err;
  }
  return [];
}

describe('secrets in the config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cepheus-secrets-'));
  const file = join(dir, 'kafka.password');
  writeFileSync(file, 's3cret-from-file\n');

  it('reads passwordFile at start (one trailing newline dropped), for Kafka SASL and the registry', () => {
    const c = validateConfig(withSasl({ passwordFile: file }, { url: 'https://registry:8081', username: 'reg', passwordFile: file }));
    expect([c.kafka.sasl?.password, c.registry?.password]).toEqual(['s3cret-from-file', 's3cret-from-file']);
  });

  it('refuses both ways at once, neither (SASL), an unreadable or empty file, naming the key', () => {
    const empty = join(dir, 'empty');
    writeFileSync(empty, '');
    expect(refusal(withSasl({ password: 'x', passwordFile: file }))).toEqual([expect.stringMatching(/^kafka\.sasl\.password: expected one of password or passwordFile, not both/)]);
    expect(refusal(withSasl({}))).toEqual([expect.stringMatching(/^kafka\.sasl\.password: expected password or passwordFile/)]);
    expect(refusal(withSasl({ passwordFile: join(dir, 'nope') }))).toEqual([expect.stringMatching(/^kafka\.sasl\.passwordFile: cannot read .*nope: ENOENT/)]);
    expect(refusal(withSasl({ passwordFile: empty }))).toEqual([expect.stringMatching(/^kafka\.sasl\.passwordFile: .*empty is empty/)]);
  });

  it('takes the SASL settings from CEPHEUS_KAFKA_SASL_* variables (the password or its file)', () => {
    const cfg = join(dir, 'c.json');
    writeFileSync(cfg, JSON.stringify({ ...base, kafka: { brokers: ['h:9093'] } }));
    const c = loadConfig(cfg, { CEPHEUS_KAFKA_SASL_MECHANISM: 'scram-sha-512', CEPHEUS_KAFKA_SASL_USERNAME: 'cepheus', CEPHEUS_KAFKA_SASL_PASSWORD_FILE: file, CEPHEUS_KAFKA_SSL_CA: '/ca.pem' });
    expect({ sasl: c.kafka.sasl, ssl: c.kafka.ssl }).toEqual({ sasl: { mechanism: 'scram-sha-512', username: 'cepheus', passwordFile: file, password: 's3cret-from-file' }, ssl: { ca: '/ca.pem', rejectUnauthorized: true } });
  });

  it('scrubs passwords and API tokens (also JSON-escaped) from log lines', () => {
    const c = validateConfig({ ...withSasl({ password: 'pa"ss-word' }), api: { tokens: { 'tok-123456': 'read' } } });
    expect(secretsOf(c).sort()).toEqual(['pa"ss-word', 'tok-123456']);
    const scrub = scrubber(secretsOf(c));
    expect(scrub(JSON.stringify({ msg: 'login pa"ss-word failed', auth: 'Bearer tok-123456' }))).toBe('{"msg":"login [redacted] failed","auth":"Bearer [redacted]"}');
    expect(scrubber([])('unchanged')).toBe('unchanged');
  });
});
