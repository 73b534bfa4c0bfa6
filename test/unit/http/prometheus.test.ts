// /metrics as Prometheus reads it: the text parses (strictly: prom-text.ts), counters are typed
// counters, dead letters are one family with a `code` label, latency families are histograms
// with cumulative buckets, `_sum` and `_count`, per rule where they are per rule, and every
// sample carries the instance's name.
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/http/metrics.ts';
import { LATENCY_BUCKETS_SECONDS } from '../../../src/metrics/buckets.ts';
import { LatencyRecorder } from '../../../src/metrics/latency.ts';
import type { AlertStore } from '../../../src/store/alert-store.ts';
import { parsePrometheus } from './prom-text.ts';

describe('Prometheus exposition', () => {
  it('exports histogram families with buckets, typed counters and a code label, each sample naming its instance', async () => {
    const latency = new LatencyRecorder({ now: () => 1_000 });
    for (const us of [2, 3, 40]) latency.recordEvaluation('spoofing', us);
    latency.recordEvaluation('large-trade', 700);
    latency.recordRule('spoofing', 1500);
    latency.recordEndToEnd(20_000);
    const rule = (id: string) => ({ id, version: 1, kind: 'sequence' as const, enabled: true, stats: { eventsSeen: 48, alerts: 1, errors: 0, overflowDropped: 0 }, stateKeys: 2, held: 3 });
    const store = { count: () => 1, dispositions: () => [] } as unknown as AlertStore;
    const metrics = createMetrics({ list: () => [rule('large-trade'), rule('spoofing')], setEnabled: () => true }, store, latency, () => ({
      counters: { events: 96, late: 2 }, gauges: { watermark: 5 }, deadLetters: new Map([['CEP_ERR_INPUT_FRAME', 2], ['CEP_ERR_INPUT_EMPTY', 1]]),
    }), 'host-a');
    const families = parsePrometheus(await metrics.scrape());
    const types = Object.fromEntries([...families.values()].filter((f) => f.samples.length > 0).map((f) => [f.name, f.type]));
    expect(types).toMatchObject({
      cepheus_events_total: 'counter', cepheus_late_events_total: 'counter', cepheus_rule_events_total: 'counter', cepheus_dead_letters_total: 'counter',
      cepheus_rule_partial_matches: 'gauge', cepheus_watermark_ms: 'gauge',
      cepheus_rule_evaluation_seconds: 'histogram', cepheus_alert_latency_seconds: 'histogram', cepheus_end_to_end_latency_seconds: 'histogram', cepheus_batch_seconds: 'histogram',
    });
    expect(families.get('cepheus_dead_letters_total')?.samples).toEqual([
      { name: 'cepheus_dead_letters_total', labels: { code: 'CEP_ERR_INPUT_FRAME', cepheus_instance: 'host-a' }, value: 2 },
      { name: 'cepheus_dead_letters_total', labels: { code: 'CEP_ERR_INPUT_EMPTY', cepheus_instance: 'host-a' }, value: 1 },
    ]);
    const evaluation = families.get('cepheus_rule_evaluation_seconds')?.samples ?? [];
    const spoofing = evaluation.filter((s) => s.labels['rule'] === 'spoofing');
    const cumulative = (le: number): number => [2, 3, 40].filter((us) => us / 1e6 <= le).length;
    expect(spoofing).toEqual([
      ...LATENCY_BUCKETS_SECONDS.map((le) => ({ name: 'cepheus_rule_evaluation_seconds_bucket', labels: { cepheus_instance: 'host-a', rule: 'spoofing', le: String(le) }, value: cumulative(le) })),
      { name: 'cepheus_rule_evaluation_seconds_bucket', labels: { cepheus_instance: 'host-a', rule: 'spoofing', le: '+Inf' }, value: 3 },
      { name: 'cepheus_rule_evaluation_seconds_sum', labels: { cepheus_instance: 'host-a', rule: 'spoofing' }, value: 45e-6 },
      { name: 'cepheus_rule_evaluation_seconds_count', labels: { cepheus_instance: 'host-a', rule: 'spoofing' }, value: 3 },
    ]);
    expect([...new Set(evaluation.map((s) => s.labels['rule']))]).toEqual(['large-trade', 'spoofing']);
    expect([...families.values()].flatMap((f) => f.samples).filter((s) => s.labels['cepheus_instance'] !== 'host-a')).toEqual([]);
    expect(families.has('cepheus_latency_microseconds')).toBe(false);
  });
});
