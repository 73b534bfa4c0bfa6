// `sources:` (RabbitMQ streams beside Kafka topics): accepted as inputs named
// rabbitmq-stream:<stream>; bad settings refused at start, each named by its key.
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/config.ts';
import { inputsOf } from '../../../src/config/inputs.ts';
import { CepError } from '../../../src/core/errors.ts';

const base = { kafka: { brokers: ['h:1'] }, registry: { url: 'http://r:1' }, output: { alerts: 'a', deadLetter: 'd', state: 's' } };
const rabbit = { type: 'rabbitmq-stream', url: 'amqp://127.0.0.1:5673/%2f', username: 'cepheus', password: 'secret' };
const problems = (raw: unknown): { code: string; details: readonly string[] } => {
  try {
    validateConfig(raw);
  } catch (err) {
    if (err instanceof CepError) return { code: err.code, details: err.details };
    throw err;
  }
  return { code: 'none', details: [] };
};

describe('config sources', () => {
  it('reads kinds from Kafka topics and RabbitMQ streams side by side', () => {
    const c = validateConfig({ ...base, topics: { login: 'logins' }, sources: [{ ...rabbit, streams: { trade: 'trades', transfer: { stream: 'transfers' } } }] });
    expect(c.sources).toEqual([{ ...rabbit, tls: false, prefetch: 2000, streams: { trade: 'trades', transfer: { stream: 'transfers', format: 'confluent' } } }]);
    expect(inputsOf(c).topics).toEqual([
      { topic: 'logins', kinds: ['login'], format: 'confluent', schemaId: 0 },
      { topic: 'rabbitmq-stream:trades', from: { type: 'rabbitmq-stream', source: 0, stream: 'trades' }, kinds: ['trade'], format: 'confluent', schemaId: 0 },
      { topic: 'rabbitmq-stream:transfers', from: { type: 'rabbitmq-stream', source: 0, stream: 'transfers' }, kinds: ['transfer'], format: 'confluent', schemaId: 0 },
    ]);
  });

  it('needs no Kafka topic when every kind comes from a stream', () => {
    expect(validateConfig({ ...base, sources: [{ ...rabbit, streams: { login: 'l', order: 'o', trade: 't', transfer: 'x' } }] }).topics).toEqual({});
  });

  it('refuses bad settings, naming each key', () => {
    expect(problems({ ...base, sources: [{ ...rabbit, url: 'http://x', streams: { trade: 'tr ades', login: 'l' }, prefetch: 0, tls: 'yes', extra: 1 }] })).toEqual({
      code: 'CEP_ERR_CONFIG',
      details: [
        'sources.0.url: expected amqp://host:port/vhost (or amqps:// for TLS)',
        'sources.0.tls: expected boolean, received string',
        'sources.0.streams.trade: expected a stream name (letters, digits, . _ : -)',
        'sources.0.prefetch: Too small: expected number to be >=1',
        'sources.0: unknown key(s) extra; remove or fix the spelling',
      ],
    });
  });

  it('refuses credentials in the URL and a kind read from two places', () => {
    expect(problems({ ...base, topics: { trade: 't' }, sources: [{ ...rabbit, url: 'amqp://u:p@h/v', streams: { trade: 'x' } }] }).details).toEqual([
      'sources.0.url: expected no user name or password in the URL (they would show in logs): use username and password or passwordFile',
      'sources.0.streams.trade: trade events already come from topics.trade: give each kind one source',
    ]);
  });

  it('refuses a source without streams, a config without any input, an unknown source type', () => {
    expect(problems({ ...base, sources: [{ ...rabbit, streams: {} }] }).details).toEqual([
      'sources.0.streams: expected at least one of login, order, trade, transfer',
      'topics: expected at least one of login, order, trade, transfer (here or under sources)',
    ]);
    expect(problems(base).details).toEqual(['topics: expected at least one of login, order, trade, transfer (here or under sources)']);
    expect(problems({ ...base, sources: [{ type: 'kafka', url: 'amqp://h' }] }).details).toEqual([
      'sources.0.type: expected "rabbitmq-stream"', 'sources.0.username: expected string, received undefined', 'sources.0.streams: expected object, received undefined',
    ]);
  });

  it('requires a password (inline or passwordFile) and the same stream for one source only', () => {
    const noPassword = problems({ ...base, sources: [{ ...rabbit, password: undefined, streams: { trade: 't' } }] });
    expect(noPassword.code).toBe('CEP_ERR_CONFIG');
    expect(noPassword.details.every((d) => d.startsWith('sources.0'))).toBe(true);
    const c = validateConfig({ ...base, sources: [{ ...rabbit, streams: { trade: 's' } }, { ...rabbit, streams: { login: 's' } }] });
    expect(() => inputsOf(c)).toThrow(/sources\.1\.streams\.login: stream s is already read from sources\.0\.streams\.trade/);
  });
});
