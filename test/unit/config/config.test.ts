// Configuration fails at start with every bad key named and what is expected; env overrides
// apply over the file; the shipped example is valid.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, validateConfig } from '../../../src/config/config.ts';
import { CepError } from '../../../src/core/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'cepheus-config-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const problems = (f: () => unknown): { code: string; details: readonly string[] } => {
  try {
    f();
  } catch (err) {
    if (err instanceof CepError) return { code: err.code, details: err.details };
    throw err;
  }
  return { code: 'none', details: [] };
};

describe('config', () => {
  it('accepts the shipped example and fills defaults', () => {
    const c = loadConfig('config/cepheus.example.yaml', {});
    expect(c.kafka).toEqual({ brokers: ['127.0.0.1:9092'], clientId: 'cepheus', groupId: 'cepheus', ssl: false, sessionTimeoutMs: 10_000 });
    expect(c.engine).toEqual({
      outOfOrdernessMs: 5000, allowedLatenessMs: 0, maxPartialMatches: 1000, maxWindowEvents: 10_000, idleKeyTtlMs: 45 * 86_400_000, maxKeys: 500_000, maxKeysBySpace: {}, keyGroups: 256, heapLimitMb: 'auto',
    });
    expect(c.output).toEqual({ alerts: 'cepheus.alerts', deadLetter: 'cepheus.dead-letter', state: 'cepheus.state', createTopics: true, partitions: 3, replicationFactor: -1 });
    expect([c.commitIntervalMs, c.snapshotIntervalMs, c.idleTimeoutMs, c.maxInFlight, c.roundMaxValues, c.startFrom]).toEqual([200, 30_000, 10_000, 4, 8192, 'earliest']);
    expect([c.maxFutureSkewMs, c.health.watermarkAheadMs]).toEqual([300_000, 900_000]);
  });

  it('keeps the future-event guard below the readiness bound for a runaway watermark', () => {
    const base = { kafka: { brokers: ['h:1'] }, topics: { login: 'l' }, output: { alerts: 'a', deadLetter: 'd', state: 's' } };
    expect(validateConfig({ ...base, maxFutureSkewMs: 60_000, health: { watermarkAheadMs: 120_000 } }).maxFutureSkewMs).toBe(60_000);
    expect(problems(() => validateConfig({ ...base, maxFutureSkewMs: 900_000 }))).toEqual({
      code: 'CEP_ERR_CONFIG',
      details: ['maxFutureSkewMs: expected less than health.watermarkAheadMs (an event the future-event guard lets in must not make /readyz report a runaway watermark): lower it or raise that'],
    });
  });

  it('applies environment overrides over the file', () => {
    const c = loadConfig('config/cepheus.example.yaml', { CEPHEUS_KAFKA_BROKERS: 'k1:9092, k2:9093', CEPHEUS_API_PORT: '9999', CEPHEUS_REGISTRY_URL: 'http://reg:8081/apis/ccompat/v7' });
    expect([c.kafka.brokers, c.api.port, c.registry?.url]).toEqual([['k1:9092', 'k2:9093'], 9999, 'http://reg:8081/apis/ccompat/v7']);
  });

  it('names every bad key and what is expected', () => {
    const bad = file('bad.yaml', [
      'kafka: { brokers: ["nohost"], groupid: x }',
      'registry: { url: "not a url" }',
      'topics: { login: "bad topic", order: o, trade: { topic: t, format: json } }',
      'output: { alerts: a, deadLetter: d, state: s }',
      'engine: { outOfOrdernessMs: -5 }',
      'api: { port: 70000 }',
    ].join('\n'));
    expect(problems(() => loadConfig(bad, {}))).toEqual({
      code: 'CEP_ERR_CONFIG',
      details: [
        'kafka.brokers.0: expected host:port',
        'kafka: unknown key(s) groupid; remove or fix the spelling',
        'registry.url: expected an http(s) URL',
        'topics.login: expected a Kafka topic name (letters, digits, . _ -)',
        'topics.trade.format: Invalid option: expected one of "confluent"|"avro"',
        'engine.outOfOrdernessMs: Too small: expected number to be >=0',
        'api.port: Too big: expected number to be <=65535',
      ],
    });
  });

  it('takes tokens in the short form or with the name changes are attributed to, and MCP limits', () => {
    const good = file('tokens.yaml', [
      'kafka: { brokers: ["k:9092"] }', 'topics: { login: l }', 'output: { alerts: a, deadLetter: d, state: s }',
      'api:', '  tokens: { reader-token-1: read, admin-token-1: { scope: admin, name: "ana lee" } }', '  mcp: { requestsPerMinute: 60, backtest: { maxEvents: 5000 } }',
    ].join('\n'));
    const c = loadConfig(good, {});
    expect(c.api.tokens).toEqual({ 'reader-token-1': 'read', 'admin-token-1': { scope: 'admin', name: 'ana lee' } });
    expect(c.api.mcp).toEqual({ enabled: true, requestsPerMinute: 60, burst: 30, maxResultBytes: 262_144, maxSessionsPerToken: 8, backtest: { dir: 'fixtures', maxEvents: 5000, maxWallMs: 20_000 } });
    expect(loadConfig('config/cepheus.example.yaml', {}).api.mcp).toEqual({ enabled: true, requestsPerMinute: 120, burst: 30, maxResultBytes: 262_144, maxSessionsPerToken: 8, backtest: { dir: 'fixtures', maxEvents: 1_000_000, maxWallMs: 20_000 } });
    const bad = file('bad-tokens.yaml', [
      'kafka: { brokers: ["k:9092"] }', 'topics: { login: l }', 'output: { alerts: a, deadLetter: d, state: s }',
      'api:', '  tokens: { short: read, reader-token-1: write, admin-token-1: { scope: admin, name: "-x" }, admin-token-2: { scope: admin, nme: bob }, admin-token-3: { scope: root, name: bob } }',
      '  mcp: { burst: 0, backtest: { maxWallMs: 5 } }',
    ].join('\n'));
    expect(problems(() => loadConfig(bad, {}))).toEqual({
      code: 'CEP_ERR_CONFIG',
      details: [
        'api.tokens.short: expected a token of at least 8 characters',
        'api.tokens.reader-token-1: expected read or admin',
        'api.tokens.admin-token-1.name: expected 1-64 letters, digits, space, . _ @ - (starting with a letter or digit)',
        'api.tokens.admin-token-2.name: expected string, received undefined',
        'api.tokens.admin-token-2: unknown key(s) nme; remove or fix the spelling',
        'api.tokens.admin-token-3.scope: expected read or admin',
        'api.mcp.burst: Too small: expected number to be >=1',
        'api.mcp.backtest.maxWallMs: Too small: expected number to be >=100',
      ],
    });
  });

  it('takes a key budget per key space (`none`: unbounded) and refuses one smaller than the key groups', () => {
    const base = { kafka: { brokers: ['k:9092'] }, topics: { login: 'l' }, output: { alerts: 'a', deadLetter: 'd', state: 's' } };
    expect(validateConfig({ ...base, engine: { maxKeys: 'none', maxKeysBySpace: { ip: 100_000 } } }).engine).toEqual({
      outOfOrdernessMs: 5000, allowedLatenessMs: 0, maxPartialMatches: 1000, maxWindowEvents: 10_000, idleKeyTtlMs: 45 * 86_400_000, maxKeys: Infinity, maxKeysBySpace: { ip: 100_000 }, keyGroups: 256, heapLimitMb: 'auto',
    });
    expect(problems(() => validateConfig({ ...base, engine: { maxKeys: 100, maxKeysBySpace: { ip: 2.5, account: 'lots' } } }))).toEqual({
      code: 'CEP_ERR_CONFIG',
      details: ['engine.maxKeysBySpace.ip: expected a whole number of keys >= 1, or `none` (got 2.5)', 'engine.maxKeysBySpace.account: expected a whole number of keys >= 1, or `none` (got "lots")'],
    });
    expect(problems(() => validateConfig({ ...base, engine: { maxKeys: 100 } }))).toEqual({
      code: 'CEP_ERR_CONFIG', details: ['engine.maxKeys: expected at least keyGroups (256): every key group needs room for a key; or `none` for no bound'],
    });
    expect(problems(() => validateConfig({ ...base, engine: { keyGroups: 32 } })).details).toEqual(['engine.keyGroups: Too small: expected number to be >=64']);
  });

  it('takes a shard heap limit: `auto` (from the key budget) or whole MiB from 64, nothing else', () => {
    const base = { kafka: { brokers: ['k:9092'] }, topics: { login: 'l' }, output: { alerts: 'a', deadLetter: 'd', state: 's' } };
    expect([validateConfig(base).engine.heapLimitMb, validateConfig({ ...base, engine: { heapLimitMb: 'auto' } }).engine.heapLimitMb, validateConfig({ ...base, engine: { heapLimitMb: 700 } }).engine.heapLimitMb])
      .toEqual(['auto', 'auto', 700]);
    const expected = '`auto` (from the key budget) or a whole number of MiB from 64 to 1048576';
    for (const v of [10, 512.5, 'big', '512', null, 2_000_000]) {
      expect(problems(() => validateConfig({ ...base, engine: { heapLimitMb: v } }))).toEqual({ code: 'CEP_ERR_CONFIG', details: [`engine.heapLimitMb: expected ${expected} (got ${JSON.stringify(v)})`] });
    }
  });

  it('says when the file is missing or not YAML', () => {
    expect(problems(() => loadConfig(join(dir, 'nope.yaml'), {})).code).toBe('CEP_ERR_CONFIG');
    expect(problems(() => loadConfig(file('broken.yaml', 'kafka: [unclosed'), {})).details).toEqual([]);
    expect(problems(() => validateConfig({}, 'x')).details).toEqual([
      'kafka: expected object, received undefined', 'output: expected object, received undefined',
    ]);
  });
});
