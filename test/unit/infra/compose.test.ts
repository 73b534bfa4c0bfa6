// docker-compose.yml cannot be run here (no Docker engine); this keeps it consistent with
// the local scripts and the engine's settings: same host ports, same env names.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.ts';
import { COUNTERS, GAUGES, INSTANCE_LABEL, createMetrics } from '../../../src/http/metrics.ts';
import { parsePrometheus } from '../http/prom-text.ts';
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
  it('scrapes the engine with a read token and provisions the Grafana board', () => {
    const prom = parse(readFileSync(new URL('prometheus/prometheus.yml', root), 'utf8')) as { scrape_configs: { static_configs: { targets: string[] }[]; metrics_path: string }[] };
    expect(prom.scrape_configs[0]?.static_configs[0]?.targets).toEqual(['cepheus:8080']);
    expect(prom.scrape_configs[0]?.metrics_path).toBe('/metrics');
    expect(compose.services['prometheus']?.ports).toEqual(['127.0.0.1:9090:9090']);
    expect(compose.services['grafana']?.ports).toEqual(['127.0.0.1:3000:3000']);
  });

  it('every query of the board and of its variables names exported metrics, with labels they carry', async () => {
    const dash = JSON.parse(readFileSync(new URL('grafana/dashboards/cepheus.json', root), 'utf8')) as {
      panels: { title: string; type: string; targets: { expr: string }[] }[]; templating: { list: { name: string; query: { query: string } }[] };
    };
    // A real registry with every signal the service reports, a rule, a resolved alert and latency samples.
    const rule = { id: 'spoofing', version: 1, kind: 'sequence' as const, enabled: true, stats: { eventsSeen: 1, alerts: 1, errors: 1, overflowDropped: 1 }, stateKeys: 1, held: 1 };
    const latency = new LatencyRecorder();
    latency.recordRule('spoofing', 12);
    latency.recordEvaluation('spoofing', 3);
    latency.recordEndToEnd(900);
    latency.recordBatch(50);
    const store = { count: () => 1, dispositions: () => [{ ruleId: 'spoofing', resolved: 2, counts: { 'true-positive': 1, 'false-positive': 1 }, precision: 0.5 }] } as unknown as AlertStore;
    const metrics = createMetrics({ list: () => [rule], setEnabled: () => false }, store, latency, () => ({
      counters: Object.fromEntries(Object.keys(COUNTERS).map((k) => [k, 1])),
      gauges: Object.fromEntries(Object.keys(GAUGES).map((k) => [k, 1])),
      deadLetters: new Map([['CEP_ERR_INPUT_FRAME', 1]]), commitFailures: new Map([['too-large', 1]]), shardBusyMs: [1],
    }), 'i-1');
    const families = parsePrometheus(await metrics.scrape());
    const labelsOf = (metric: string): Set<string> => {
      const family = families.get(metric) ?? families.get(metric.replace(/_(bucket|sum|count)$/, ''));
      return new Set(family?.samples.filter((s) => s.name === metric).flatMap((s) => Object.keys(s.labels)) ?? []);
    };
    const queries = [...dash.panels.flatMap((p) => p.targets.map((t) => t.expr)), ...dash.templating.list.map((v) => v.query.query)];
    const problems: string[] = [];
    for (const q of queries) {
      for (const m of q.matchAll(/(cepheus_[a-z_]+)(?:\{([^}]*)\})?/g)) {
        const metric = m[1] as string;
        if (metric === INSTANCE_LABEL) continue; // the label, not a metric
        const have = labelsOf(metric);
        if (have.size === 0) problems.push(`${metric}: not exported (${q})`);
        for (const [, label] of (m[2] ?? '').matchAll(/([a-z_]+)\s*(?:=~|!=|!~|=)/g)) if (!have.has(label as string)) problems.push(`${metric}: no label ${label} (${q})`);
      }
      for (const [, by] of q.matchAll(/by \(([^)]*)\)/g)) for (const label of (by as string).split(',').map((x) => x.trim())) {
        const metric = /(cepheus_[a-z_]+)/.exec(q.slice(q.indexOf(`by (${by})`) + `by (${by})`.length))?.[1] as string;
        if (!labelsOf(metric).has(label)) problems.push(`${metric}: grouped by ${label}, which it does not carry (${q})`);
      }
    }
    expect(problems).toEqual([]);
    expect(dash.templating.list.map((v) => v.name)).toEqual(['instance', 'rule']);
    expect(dash.panels.map((p) => p.title)).toEqual([
      'Throughput (events/s)', 'Alerts per rule (per minute)', 'Rule evaluation time p99 (sampled 1 event in 16)', 'Rule evaluation time heatmap',
      'End-to-end latency', 'End-to-end latency heatmap', 'Alert latency p99 per rule (record in → alert out)', 'Precision of dispositions per rule',
      'Consumer lag (records)', 'Watermark delay (wall clock − event-time watermark)', 'Errors', 'Overflow (partial matches / window events dropped at the state bound)',
      'State size', 'Commits and checkpoints', 'Backpressure', 'Broker health',
    ]);
    // Every panel but the two heatmaps filters on the instance variable; the rule panels on the rule variable too.
    expect(dash.panels.filter((p) => !p.targets.every((t) => t.expr.includes('cepheus_instance=~"$instance"'))).map((p) => p.title)).toEqual([]);
  });
});
