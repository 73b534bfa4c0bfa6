// `cepheus acls` lists Kafka ACLs only: a stream of `sources:` is no Kafka topic to grant.
import { describe, expect, it } from 'vitest';
import { grantsOf } from '../../../src/cli/acls.ts';
import { validateConfig } from '../../../src/config/config.ts';

describe('cepheus acls with RabbitMQ sources', () => {
  it('grants Read on the Kafka input topics and nothing on the streams', () => {
    const base = { kafka: { brokers: ['h:1'] }, registry: { url: 'http://r:1' }, output: { alerts: 'a', deadLetter: 'd', state: 's' } };
    const c = validateConfig({ ...base, topics: { login: 'logins' }, sources: [{ type: 'rabbitmq-stream', url: 'amqp://h:5672/%2f', username: 'u', password: 'p', streams: { trade: 'trades' } }] });
    const names = grantsOf(c).map((g) => g.name);
    expect(names).toContain('logins');
    expect(names.filter((n) => n.includes('trades'))).toEqual([]);
  });
});
