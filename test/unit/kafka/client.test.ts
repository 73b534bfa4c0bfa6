// TLS material is read when the client is built, so a wrong path stops the start with the
// key and the path instead of failing on the first connection; kafkajs's connection errors
// reach the service (its evidence that the broker is unreachable).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/config.ts';
import { CepError } from '../../../src/core/errors.ts';
import { connectionOf, kafkaClient } from '../../../src/kafka/client.ts';

const config = (ssl: unknown) => validateConfig({ kafka: { brokers: ['h:9093'], ssl, sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } }, topics: { login: 'l' }, output: { alerts: 'a', deadLetter: 'd', state: 's' } }).kafka;

describe('kafka client', () => {
  it('builds with TLS files and SASL, and names a TLS file it cannot read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cepheus-tls-'));
    writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
    const pem = '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n';
    const sasl = { mechanism: 'scram-sha-512', username: 'u', password: 'p' };
    const retry = { retries: 8, initialRetryTime: 100 };
    expect(connectionOf(config({ ca: join(dir, 'ca.pem') }))).toEqual({ clientId: 'cepheus', brokers: ['h:9093'], ssl: { rejectUnauthorized: true, ca: [pem] }, sasl, retry, connectionTimeout: 3000 });
    expect(connectionOf(config(true), 'other')).toEqual({ clientId: 'other', brokers: ['h:9093'], ssl: true, sasl, retry, connectionTimeout: 3000 });
    let err: unknown;
    try {
      kafkaClient(config({ ca: join(dir, 'missing.pem') }), pino({ level: 'silent' }));
    } catch (e) {
      err = e;
    }
    expect(err instanceof CepError ? [err.code, err.message] : err).toEqual(['CEP_ERR_CONFIG', `CEP_ERR_CONFIG: kafka.ssl.ca: cannot read ${join(dir, 'missing.pem')}: ENOENT: no such file or directory, open '${join(dir, 'missing.pem')}'`]);
  });

  it('tells the service every kafkajs error line that says a broker could not be reached, and only those', () => {
    const heard: string[] = [];
    const k = kafkaClient(validateConfig({ kafka: { brokers: ['h:1'] }, topics: { login: 'l' }, output: { alerts: 'a', deadLetter: 'd', state: 's' } }).kafka, pino({ level: 'silent' }), 'c', (m) => heard.push(m));
    const log = k.logger();
    log.error('Connection error: connect ECONNREFUSED 127.0.0.1:1', { broker: '127.0.0.1:1' });
    log.error('Failed to connect to seed broker, trying another broker from the list: Connection timeout', {});
    log.error('The group coordinator is not available', {}); // expected on a fresh broker
    log.error('Response Metadata(key: 3, version: 6)', { error: 'UNKNOWN_TOPIC_OR_PARTITION' });
    log.warn('Connection error: a warning only', {});
    expect(heard).toEqual(['Connection error: connect ECONNREFUSED 127.0.0.1:1', 'Failed to connect to seed broker, trying another broker from the list: Connection timeout']);
  });
});
