// Prometheus metrics, computed when scraped from the engine's rule counters, the store and
// the latency recorders: nothing is updated on the hot path for them.
import { Gauge, Registry } from 'prom-client';
import type { LatencyRecorder } from '../metrics/latency.ts';
import type { AlertStore } from '../store/alert-store.ts';
import type { RuleControl } from './server.ts';

export function metricsRegistry(rules: RuleControl, store: AlertStore, latency: LatencyRecorder | undefined, extra: () => Readonly<Record<string, number>>): Registry {
  const registry = new Registry();
  const perRule = (name: string, help: string, pick: (r: ReturnType<RuleControl['list']>[number]) => number): void => {
    new Gauge({
      name, help, labelNames: ['rule'], registers: [registry],
      collect() {
        for (const r of rules.list()) this.set({ rule: r.id }, pick(r));
      },
    });
  };
  perRule('cepheus_rule_events_total', 'Events seen by each rule', (r) => r.stats.eventsSeen);
  perRule('cepheus_rule_alerts_total', 'Alerts raised by each rule', (r) => r.stats.alerts);
  perRule('cepheus_rule_errors_total', 'Predicate, fold or message errors per rule', (r) => r.stats.errors);
  perRule('cepheus_rule_overflow_dropped_total', 'Partial matches or window events dropped at the state bound', (r) => r.stats.overflowDropped);
  perRule('cepheus_rule_partial_matches', 'Partial matches and window events held', (r) => r.held);
  perRule('cepheus_rule_state_keys', 'Keys holding state for each rule', (r) => r.stateKeys);
  new Gauge({ name: 'cepheus_alerts_stored', help: 'Alerts in the store', registers: [registry], collect() { this.set(store.count()); } });
  new Gauge({
    name: 'cepheus_engine', help: 'Engine counters (events, late, dead letters, consumer lag when known)', labelNames: ['counter'], registers: [registry],
    collect() {
      for (const [k, v] of Object.entries(extra())) this.set({ counter: k }, v);
    },
  });
  new Gauge({
    name: 'cepheus_latency_microseconds', help: 'Latency percentiles (engine per rule, end to end, per batch)', labelNames: ['scope', 'quantile'], registers: [registry],
    collect() {
      if (latency === undefined) return;
      const snap = latency.snapshot();
      const put = (scope: string, s: { p50: number; p90: number; p99: number; p999: number; max: number }): void => {
        for (const [q, v] of [['0.5', s.p50], ['0.9', s.p90], ['0.99', s.p99], ['0.999', s.p999], ['1', s.max]] as const) this.set({ scope, quantile: q }, v);
      };
      for (const [id, s] of Object.entries(snap.rules)) put(`rule:${id}`, s);
      put('end_to_end', snap.endToEnd);
      put('batch', snap.batch);
    },
  });
  return registry;
}
