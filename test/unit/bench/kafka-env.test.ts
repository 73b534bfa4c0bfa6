// Which broker the through-Kafka bench may use: decided without touching the network for
// `off`, malformed lists and anything not on loopback.
import { describe, expect, it } from 'vitest';
import { kafkaTarget } from '../../../bench/lib/kafka-env.ts';

const codeOf = async (p: Promise<unknown>): Promise<string> => p.then(() => 'resolved', (err: unknown) => (err as { code?: string }).code ?? String(err));

describe('bench --kafka', () => {
  it('off records the scenarios as not measured', async () => {
    expect(await kafkaTarget('off', {})).toEqual({ status: 'unavailable', reason: 'skipped with --kafka off' });
  });

  it('rejects a malformed broker list', async () => {
    expect(await codeOf(kafkaTarget('127.0.0.1', {}))).toBe('CEP_ERR_BENCH_KAFKA');
    expect(await codeOf(kafkaTarget(',', {}))).toBe('CEP_ERR_BENCH_KAFKA');
  });

  it('refuses brokers or a registry off loopback, from the option or the environment', async () => {
    expect(await Promise.all([
      codeOf(kafkaTarget('10.0.0.5:9092', {})),
      codeOf(kafkaTarget('auto', { CEPHEUS_KAFKA_BROKERS: '127.0.0.1:9092,kafka.example.com:9092' })),
      codeOf(kafkaTarget('auto', { CEPHEUS_REGISTRY_URL: 'http://registry.example.com:8081' })),
    ])).toEqual(['CEP_ERR_BENCH_NOT_LOOPBACK', 'CEP_ERR_BENCH_NOT_LOOPBACK', 'CEP_ERR_BENCH_NOT_LOOPBACK']);
  });
});
