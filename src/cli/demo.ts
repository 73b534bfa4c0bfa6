// `cepheus demo` (what `npm start` runs): the embedded default, no Kafka needed. Replays the
// bundled fixture through the bundled rules on the same core as the service, stores the
// alerts in the embedded store (idempotent: a restart adds nothing and keeps statuses),
// prints what fired and how it scores against the fixture's labels, and serves the REST API
// and dashboard. `--live <events/s>` paces the replay so alerts arrive while you watch.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { AlertBus } from '../store/alert-bus.ts';
import { parseTokens } from '../http/auth.ts';
import type { Tokens } from '../http/auth.ts';
import { buildApi } from '../http/server.ts';
import type { Alert } from '../core/alert.ts';
import { createEngine } from '../core/engine/index.ts';
import type { AnyEvent } from '../events/types.ts';
import { readEvents } from '../io/read-events.ts';
import { LatencyRecorder } from '../metrics/latency.ts';
import { score } from '../replay/score.ts';
import type { Labels } from '../replay/score.ts';
import { loadRules } from '../rules/load-rules.ts';
import { AlertStore } from '../store/alert-store.ts';
import { AuditLog } from '../store/audit-log.ts';
import { engineStateQuery } from '../explain/engine-state.ts';
import { RecentKeyIssues } from '../explain/recent.ts';
import { parseNonNegative, parsePositiveInt, printError } from './common.ts';
import { bundledFixture, labelsPathFor } from './replay.ts';

export interface DemoOptions {
  fixture: string;
  data: string;
  port: number;
  host: string;
  serve: boolean;
  live: number;
  retentionDays?: number;
}

/** The demo's tokens: CEPHEUS_API_TOKENS when set, else two well-known local ones. */
export const DEMO_TOKENS: Tokens = { 'demo-read': { scope: 'read', name: 'demo-reader' }, 'demo-admin': { scope: 'admin', name: 'demo-admin' } };

export async function runDemo(opts: DemoOptions): Promise<void> {
  mkdirSync(opts.data, { recursive: true });
  const loaded = await loadRules();
  const ruleModules = loaded;
  const rules = loaded.map((l) => l.rule);
  const engineOptions = { outOfOrdernessMs: 5000 };
  const engine = createEngine(rules, engineOptions);
  const recent = new RecentKeyIssues(rules);
  // An alert is explained by replaying the fixture (the key's whole history) up to it.
  const history = async function* (): AsyncGenerator<AnyEvent> {
    for await (const item of readEvents(opts.fixture)) if ('event' in item) yield item.event;
  };
  const store = new AlertStore(join(opts.data, 'alerts.db'));
  const audit = new AuditLog(join(opts.data, 'alerts.db'));
  if (opts.retentionDays !== undefined) {
    const removed = store.prune(Date.now() - opts.retentionDays * 86_400_000, undefined);
    if (removed > 0) console.log(`retention: removed ${removed} alerts stored more than ${opts.retentionDays} days ago`);
  }
  const bus = new AlertBus();
  const latency = new LatencyRecorder();
  const tokens = process.env['CEPHEUS_API_TOKENS'] !== undefined ? parseTokens(process.env['CEPHEUS_API_TOKENS']) : DEMO_TOKENS;
  let replaying = true;
  let events = 0;
  let inputErrors = 0;
  const alerts: Alert[] = [];

  const app = opts.serve
    ? await buildApi({
      store, bus, latency, tokens, ruleModules, audit,
      rules: { list: () => engine.rules(), setEnabled: (id, on) => engine.setEnabled(id, on) },
      state: engineStateQuery({ engine, loaded, recent, history, engineOptions }),
      onInternalError: (err) => console.error('API request failed (500):', err),
      ready: () => ({ ready: !replaying || opts.live > 0, reasons: replaying ? ['replaying the fixture'] : [] }),
      signals: () => {
        const s = engine.stats();
        return {
          counters: { events: s.events, late: s.late, lateAccepted: s.lateAccepted, inputErrors },
          gauges: { buffered: s.buffered, keys: s.keys, watermark: Number.isFinite(s.watermark) ? s.watermark : 0 },
        };
      },
    })
    : undefined;
  if (app !== undefined) {
    app.addHook('onClose', () => {
      store.close();
      audit.close();
    });
    await app.listen({ port: opts.port, host: opts.host });
  }

  const collect = (pushedAt: number): void => {
    for (const f of engine.drain()) {
      if (f.kind !== 'alert') {
        recent.record(f, engine.watermark);
        continue;
      }
      const a = f.alert;
      const storedAt = Date.now();
      latency.recordRule(a.ruleId, (performance.now() - pushedAt) * 1000);
      alerts.push(a);
      if (store.insert(a, storedAt)) {
        latency.recordEndToEnd((performance.now() - pushedAt) * 1000);
        const { matched: _m, context: _c, aggregates: _g, ...summary } = a;
        bus.publish({ ...summary, status: 'open', storedAt });
      }
    }
  };

  const started = performance.now();
  const pace = opts.live > 0 ? 1000 / opts.live : 0;
  let batchStart = performance.now();
  for await (const item of readEvents(opts.fixture)) {
    if ('error' in item) {
      inputErrors++;
      continue;
    }
    const t0 = performance.now();
    engine.push(item.event);
    collect(t0);
    events++;
    if ((events & 255) === 0) {
      latency.recordBatch((performance.now() - batchStart) * 1000);
      batchStart = performance.now();
      if (pace > 0) {
        const due = started + events * pace;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
      }
    }
  }
  engine.flush();
  collect(performance.now());
  replaying = false;
  const wallMs = Math.round(performance.now() - started);

  const stats = engine.stats();
  const labelsPath = labelsPathFor(opts.fixture);
  const scores = labelsPath !== undefined && existsSync(labelsPath) ? score(alerts, JSON.parse(readFileSync(labelsPath, 'utf8')) as Labels, rules.map((r) => r.id)) : undefined;
  const byRule = new Map<string, number>();
  for (const a of alerts) byRule.set(a.ruleId, (byRule.get(a.ruleId) ?? 0) + 1);
  console.log(`Cepheus demo: replayed ${events.toLocaleString('en')} events from ${opts.fixture} through ${rules.length} bundled rules in ${wallMs} ms (${Math.round(events / (wallMs / 1000)).toLocaleString('en')} events/s)`);
  console.log(`late events: ${stats.late}, unreadable records: ${inputErrors}, rule errors: ${engine.rules().reduce((n, r) => n + r.stats.errors, 0)}`);
  console.log(`${alerts.length} alerts:`);
  for (const r of rules) {
    const sc = scores?.[r.id];
    const s = sc === undefined ? '' : `  (planted ${sc.detected}/${sc.positives} detected, precision ${sc.precision.toFixed(2)}, near misses fired ${sc.nearMissAlerts.length})`;
    console.log(`  ${r.id.padEnd(22)} ${String(byRule.get(r.id) ?? 0).padStart(3)}${s}`);
  }
  const first = alerts[0];
  if (first !== undefined) console.log(`first alert: [${first.severity}] ${first.ruleId} on ${first.key}: ${first.message}`);
  console.log(`alert store ${join(opts.data, 'alerts.db')}: ${store.count()} alerts (idempotent on id: a restart adds nothing and keeps statuses)`);
  if (app === undefined) {
    store.close();
    audit.close();
    return;
  }
  const base = `http://${opts.host}:${opts.port}`;
  console.log(`REST API and dashboard: ${base}/?token=demo-read   (tokens: demo-read = read, demo-admin = admin; set CEPHEUS_API_TOKENS to change)`);
  console.log(`  curl -H 'authorization: Bearer demo-read' ${base}/api/v1/alerts   — Ctrl-C stops`);
  console.log(`MCP for AI assistants: ${base}/mcp, or stdio: CEPHEUS_MCP_TOKEN=demo-read npx cepheus mcp   (docs/mcp.md)`);
  const stop = (): void => {
    void app.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

export function demoCommand(): Command {
  return new Command('demo')
    .description('the embedded default: replay the bundled fixture through the bundled rules into the alert store, then serve the REST API and dashboard (no Kafka needed)')
    .option('--fixture <file>', 'event file to replay', bundledFixture())
    .option('--data <dir>', 'where the alert store lives', '.run/demo')
    .option('--port <n>', 'REST API port', parsePositiveInt('--port'), Number(process.env['CEPHEUS_API_PORT'] ?? 8080))
    .option('--host <addr>', 'REST API address', process.env['CEPHEUS_API_HOST'] ?? '127.0.0.1')
    .option('--live <events/s>', 'pace the replay at this rate so alerts arrive live (0 = as fast as possible)', parseNonNegative('--live'), 0)
    .option('--retention-days <n>', 'drop alerts stored longer ago than this at start', parseNonNegative('--retention-days'))
    .option('--no-serve', 'exit after the replay instead of serving the API')
    .action(async (opts: DemoOptions) => {
      try {
        await runDemo(opts);
      } catch (err) {
        printError(err);
      }
    });
}

