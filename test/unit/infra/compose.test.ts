// docker-compose.yml cannot be run here (no Docker engine); this keeps it consistent with
// the local scripts and the engine's settings: same host ports, same env names.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.ts';
import { COUNTERS, GAUGES, createMetrics } from '../../../src/http/metrics.ts';
import { LatencyRecorder } from '../../../src/metrics/latency.ts';
import type { AlertStore } from '../../../src/store/alert-store.ts';

interface Service { image?: string; build?: string; ports?: string[]; environment?: Record<string, string>; command?: string[]; depends_on?: Record<string, { condition: string }> }
const root = new URL('../../../', import.meta.url);
const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8')) as { services: Record<string, Service> };
const scripts = readFileSync(new URL('scripts/kafka/common.sh', root), 'utf8');
const scriptDefault = (name: string): string => new RegExp(`\\$\\{${name}:-([^}]+)\\}`).exec(scripts)?.[1] ?? 'missing';

describe('docker-compose.yml', () => {
  it('publishes Kafka and the registry on the same loopback ports as scripts/kafka', () => {
    expect(compose.services['kafka']?.ports).toEqual([`127.0.0.1:${scriptDefault('CEPHEUS_KAFKA_PORT')}:9092`]);
    expect(compose.services['registry']?.ports).toEqual([`127.0.0.1:${scriptDefault('CEPHEUS_REGISTRY_PORT')}:8080`]);
    expect(compose.services['kafka']?.image).toBe('apache/kafka:4.1.1');
    expect(compose.services['registry']?.image).toBe(`apicurio/apicurio-registry:${scriptDefault('CEPHEUS_APICURIO_VERSION')}`);
  });

  it('loads the fixture into the topics of a valid service config, then runs the service on them', () => {
    const loader = compose.services['loader'];
    const engine = compose.services['cepheus'];
    expect(loader?.command).toEqual(['produce', 'fixtures/default.avro', '--config', 'config/cepheus.compose.yaml']);
    expect(engine?.command).toEqual(['run', '--config', 'config/cepheus.compose.yaml']);
    expect(engine?.depends_on).toEqual({ loader: { condition: 'service_completed_successfully' } });
    const c = loadConfig(fileURLToPath(new URL('config/cepheus.compose.yaml', root)), {});
    expect([c.kafka.brokers, c.registry?.url, c.api.host, c.api.tokens['demo-read']]).toEqual([['kafka:19092'], 'http://registry:8080/apis/ccompat/v7', '0.0.0.0', 'read']);
    expect(readFileSync(new URL('Dockerfile', root), 'utf8')).toContain('COPY config ./config');
  });

  it('points the engine at them with the env names the tools read', () => {
    expect(compose.services['cepheus']?.build).toBe('.');
    expect(compose.services['cepheus']?.environment).toMatchObject({
      CEPHEUS_KAFKA_BROKERS: 'kafka:19092',
      CEPHEUS_REGISTRY_URL: 'http://registry:8080/apis/ccompat/v7',
    });
  });
});

describe('metrics stack in docker-compose.yml', () => {
  it('scrapes the engine with a read token and provisions the Grafana dashboard over the metrics the API exports', async () => {
    const prom = parse(readFileSync(new URL('prometheus/prometheus.yml', root), 'utf8')) as { scrape_configs: { static_configs: { targets: string[] }[]; metrics_path: string }[] };
    expect(prom.scrape_configs[0]?.static_configs[0]?.targets).toEqual(['cepheus:8080']);
    expect(prom.scrape_configs[0]?.metrics_path).toBe('/metrics');
    expect(compose.services['prometheus']?.ports).toEqual(['127.0.0.1:9090:9090']);
    expect(compose.services['grafana']?.ports).toEqual(['127.0.0.1:3000:3000']);
    const dash = JSON.parse(readFileSync(new URL('grafana/dashboards/cepheus.json', root), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    // Every metric a panel queries is one the API exports (scraped from a real registry with
    // every signal the service reports).
    const queried = [...new Set(dash.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/cepheus_[a-z_]+/g) ?? [])))].sort();
    const metrics = createMetrics({ list: () => [], setEnabled: () => false }, { count: () => 0 } as unknown as AlertStore, new LatencyRecorder(), () => ({
      counters: Object.fromEntries(Object.keys(COUNTERS).map((k) => [k, 1])),
      gauges: Object.fromEntries(Object.keys(GAUGES).map((k) => [k, 1])),
      deadLetters: new Map([['CEP_ERR_INPUT_FRAME', 1]]), shardBusyMs: [1],
    }));
    const exported = new Set([...(await metrics.scrape()).matchAll(/^# TYPE (cepheus_[a-z_]+) /gm)].map((m) => m[1]));
    expect(queried.filter((m) => !exported.has(m))).toEqual([]);
    expect(queried).toEqual(['cepheus_consumer_lag_records', 'cepheus_dead_letters_total', 'cepheus_events_total', 'cepheus_late_events_total', 'cepheus_latency_microseconds', 'cepheus_rule_alerts_total']);
    expect(dash.panels.map((p) => p.title)).toEqual([
      'Throughput (events/s)', 'Alerts per rule (per minute)', 'Engine latency p99 per rule (µs)', 'End-to-end latency (µs)', 'Consumer lag (records)', 'Dead letters and late events',
    ]);
  });
});
