// The key-space metrics: keys held, the budget and evictions by reason, one series per key
// space, read from the runner's signals at scrape time.
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/http/metrics.ts';
import { AlertStore } from '../../../src/store/alert-store.ts';

describe('key-space metrics', () => {
  it('exports keys, budget and evictions per key space (no budget series for an unbounded space)', async () => {
    const store = new AlertStore(':memory:');
    const metrics = createMetrics({ list: () => [], setEnabled: () => false }, store, undefined, () => ({
      counters: {}, gauges: {},
      keySpaces: [
        { name: 'account', keys: 250_000, maxKeys: 250_000, evictedIdle: 1_750_000, evictedActive: 12 },
        { name: 'ip', keys: 4, maxKeys: null, evictedIdle: 0, evictedActive: 0 },
      ],
    }));
    const lines = (await metrics.scrape()).split('\n').filter((l) => /^cepheus_(key_space|evicted)/.test(l));
    store.close();
    expect(lines).toEqual([
      'cepheus_key_space_keys{key_space="account",cepheus_instance="cepheus"} 250000',
      'cepheus_key_space_keys{key_space="ip",cepheus_instance="cepheus"} 4',
      'cepheus_key_space_max_keys{key_space="account",cepheus_instance="cepheus"} 250000',
      'cepheus_evicted_keys_total{key_space="account",reason="idle",cepheus_instance="cepheus"} 1750000',
      'cepheus_evicted_keys_total{key_space="account",reason="active",cepheus_instance="cepheus"} 12',
      'cepheus_evicted_keys_total{key_space="ip",reason="idle",cepheus_instance="cepheus"} 0',
      'cepheus_evicted_keys_total{key_space="ip",reason="active",cepheus_instance="cepheus"} 0',
    ]);
  });
});
