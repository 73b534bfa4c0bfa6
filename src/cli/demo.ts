// `cepheus demo` (what `npm start` runs): the embedded default, no Kafka needed. Serves the REST
// API and the console at once (the URL is printed first; /readyz answers 503 with the progress
// until the replay is done), replays the bundled fixture through the bundled rules on the same
// core as the service (demo-replay.ts), stores the alerts (idempotent: a restart adds nothing
// and keeps statuses), and prints what fired and how it scores against the fixture's labels.
// `--live <events/s>` paces the replay so alerts arrive while you watch: it uses a store of its
// own (live.db), emptied at each start, so every alert arrives as new and the triage kept in
// alerts.db is untouched; `--reset` empties alerts.db. Rules switched through the API stay as
// they were left across restarts (rule-switches.ts).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { AlertBus } from '../store/alert-bus.ts';
import { parseTokens } from '../http/auth.ts';
import type { Tokens } from '../http/auth.ts';
import { listenOrExplain } from '../http/listen.ts';
import { buildApi } from '../http/server.ts';
import { createEngine } from '../core/engine/index.ts';
import type { AnyEvent } from '../events/types.ts';
import { readEvents } from '../io/read-events.ts';
import { LatencyRecorder } from '../metrics/latency.ts';
import { directRuleTimer } from '../metrics/rule-timer.ts';
import { score } from '../replay/score.ts';
import type { Labels } from '../replay/score.ts';
import { loadRules } from '../rules/load-rules.ts';
import { AlertStore } from '../store/alert-store.ts';
import { RuleSwitches } from '../store/rule-switches.ts';
import { AuditLog } from '../store/audit-log.ts';
import { engineStateQuery } from '../explain/engine-state.ts';
import { RecentKeyIssues } from '../explain/recent.ts';
import { parseNonNegative, parsePositiveInt, printError } from './common.ts';
import { progressLine, replayFixture } from './demo-replay.ts';
import type { ReplayProgress } from './demo-replay.ts';
import { bundledFixture, labelsPathFor } from './replay.ts';

export interface DemoOptions {
  fixture: string;
  data: string;
  port: number;
  host: string;
  serve: boolean;
  live: number;
  retentionDays?: number;
  /** Empty the alert store (alerts.db) before replaying. */
  reset?: boolean;
}

export interface DemoHandle {
  readonly app: FastifyInstance | undefined;
  readonly store: AlertStore;
  readonly bus: AlertBus;
  readonly progress: ReplayProgress;
  /** Resolves once the replay is done and its summary printed. */
  readonly replayed: Promise<void>;
  /** Stops the replay if it still runs, closes the API and the store. */
  close(): Promise<void>;
}

/** The demo's tokens: CEPHEUS_API_TOKENS when set, else two well-known local ones. */
export const DEMO_TOKENS: Tokens = { 'demo-read': { scope: 'read', name: 'demo-reader' }, 'demo-admin': { scope: 'admin', name: 'demo-admin' } };

/** The demo's readiness: 503 with the progress until the replay is done (docs/api.md). */
export function demoReadiness(p: Pick<ReplayProgress, 'done' | 'events' | 'total' | 'alerts'>, fixture: string): { ready: boolean; reasons: string[] } {
  return p.done ? { ready: true, reasons: [] } : { ready: false, reasons: [`${progressLine(p)} from ${fixture}`] };
}

export async function runDemo(opts: DemoOptions, print: (line: string) => void = console.log): Promise<DemoHandle> {
  mkdirSync(opts.data, { recursive: true });
  const loaded = await loadRules();
  const rules = loaded.map((l) => l.rule);
  const latency = new LatencyRecorder();
  const engineOptions = { outOfOrdernessMs: 5000 };
  const engine = createEngine(rules, { ...engineOptions, probe: directRuleTimer(latency, rules.map((r) => r.id)) });
  const recent = new RecentKeyIssues(rules);
  // An alert is explained by replaying the fixture (the key's whole history) up to it.
  const history = async function* (): AsyncGenerator<AnyEvent> {
    for await (const item of readEvents(opts.fixture)) if ('event' in item) yield item.event;
  };
  const mainPath = join(opts.data, 'alerts.db');
  const switches = new RuleSwitches(mainPath);
  for (const s of switches.all()) {
    if (!engine.setEnabled(s.ruleId, s.enabled) || s.enabled) continue;
    print(`rule ${s.ruleId} is disabled (by ${s.actor} through the API, ${new Date(s.at).toISOString()}); POST /api/v1/rules/${s.ruleId}/enable turns it back on`);
  }
  if (opts.reset === true) {
    const main = new AlertStore(mainPath);
    print(`--reset: removed ${main.clear()} alerts from ${mainPath}`);
    main.close();
  }
  const live = opts.live > 0;
  const store = new AlertStore(live ? join(opts.data, 'live.db') : mainPath);
  if (live) store.clear();
  const audit = new AuditLog(mainPath);
  if (opts.retentionDays !== undefined) {
    const removed = store.prune(Date.now() - opts.retentionDays * 86_400_000, undefined);
    if (removed > 0) print(`retention: removed ${removed} alerts stored more than ${opts.retentionDays} days ago`);
  }
  const bus = new AlertBus();
  const tokens = process.env['CEPHEUS_API_TOKENS'] !== undefined ? parseTokens(process.env['CEPHEUS_API_TOKENS']) : DEMO_TOKENS;
  const labelsPath = labelsPathFor(opts.fixture);
  const labels = labelsPath !== undefined && existsSync(labelsPath) ? (JSON.parse(readFileSync(labelsPath, 'utf8')) as Labels & { options?: { events?: number } }) : undefined;
  const progress: ReplayProgress = { events: 0, inputErrors: 0, total: labels?.options?.events ?? null, alerts: [], done: false };
  let stopped = false;

  const app = opts.serve
    ? await buildApi({
      store, bus, latency, tokens, ruleModules: loaded, engineOptions, instance: 'demo', audit,
      rules: {
        list: () => engine.rules(),
        setEnabled: (id, on, actor) => {
          const ok = engine.setEnabled(id, on);
          if (ok) switches.set(id, on, actor ?? 'api', Date.now());
          return ok;
        },
      },
      state: engineStateQuery({ engine, loaded, recent, history, engineOptions }),
      onInternalError: (err) => console.error('API request failed (500):', err),
      ready: () => demoReadiness(progress, opts.fixture),
      signals: () => {
        const s = engine.stats();
        return {
          counters: { events: s.events, late: s.late, lateAccepted: s.lateAccepted, inputErrors: progress.inputErrors },
          gauges: { buffered: s.buffered, keys: s.keys, watermark: Number.isFinite(s.watermark) ? s.watermark : 0 },
        };
      },
    })
    : undefined;
  const closeAll = async (): Promise<void> => {
    stopped = true;
    if (app !== undefined) await app.close();
    store.close();
    switches.close();
    audit.close();
  };
  if (app !== undefined) {
    try {
      await listenOrExplain(app, opts.host, opts.port, '--port <n> (or CEPHEUS_API_PORT=<n>)');
    } catch (err) {
      await closeAll();
      throw err;
    }
    const base = `http://${opts.host}:${opts.port}`;
    print(`REST API and console: ${base}/?token=demo-admin   (read-only: ?token=demo-read; set CEPHEUS_API_TOKENS to change)`);
    print(`  curl -H 'authorization: Bearer demo-read' ${base}/api/v1/alerts   — Ctrl-C stops`);
    print(`MCP for AI assistants: ${base}/mcp, or stdio: CEPHEUS_MCP_TOKEN=demo-read npx cepheus mcp   (docs/mcp.md)`);
    print(`replaying ${opts.fixture}${live ? ` at ${opts.live.toLocaleString('en')} events/s into ${join(opts.data, 'live.db')} (emptied at each --live start)` : ''}; ${base}/readyz answers 503 until it is done`);
  }

  const started = performance.now();
  const replayed = replayFixture({ fixture: opts.fixture, engine, store, bus, latency, recent, live: opts.live, print, stopped: () => stopped }, progress).then(() => {
    if (stopped) return;
    const wallMs = Math.round(performance.now() - started);
    const stats = engine.stats();
    const alerts = progress.alerts;
    const scores = labels !== undefined ? score(alerts, labels, rules.map((r) => r.id)) : undefined;
    const byRule = new Map<string, number>();
    for (const a of alerts) byRule.set(a.ruleId, (byRule.get(a.ruleId) ?? 0) + 1);
    const events = progress.events;
    print(`Cepheus demo: replayed ${events.toLocaleString('en')} events from ${opts.fixture} through ${rules.length} bundled rules in ${wallMs} ms (${Math.round(events / (wallMs / 1000)).toLocaleString('en')} events/s)`);
    print(`late events: ${stats.late}, unreadable records: ${progress.inputErrors}, rule errors: ${engine.rules().reduce((n, r) => n + r.stats.errors, 0)}`);
    print(`${alerts.length} alerts:`);
    for (const r of rules) {
      const sc = scores?.[r.id];
      const s = sc === undefined ? '' : `  (planted ${sc.detected}/${sc.positives} detected, precision ${sc.precision.toFixed(2)}, near misses fired ${sc.nearMissAlerts.length})`;
      print(`  ${r.id.padEnd(22)} ${String(byRule.get(r.id) ?? 0).padStart(3)}${s}${engine.rules().find((x) => x.id === r.id)?.enabled === false ? '  (disabled)' : ''}`);
    }
    const first = alerts[0];
    if (first !== undefined) print(`first alert: [${first.severity}] ${first.ruleId} on ${first.key}: ${first.message}`);
    print(`alert store ${live ? join(opts.data, 'live.db') : mainPath}: ${store.count()} alerts (idempotent on id: a restart adds nothing and keeps statuses)`);
    if (app !== undefined) print('ready: /readyz answers 200');
  });
  return { app, store, bus, progress, replayed, close: closeAll };
}

export function demoCommand(): Command {
  return new Command('demo')
    .description('the embedded default: replay the bundled fixture through the bundled rules into the alert store, then serve the REST API and dashboard (no Kafka needed)')
    .option('--fixture <file>', 'event file to replay', bundledFixture())
    .option('--data <dir>', 'where the alert store lives', '.run/demo')
    .option('--port <n>', 'REST API port', parsePositiveInt('--port'), Number(process.env['CEPHEUS_API_PORT'] ?? 8080))
    .option('--host <addr>', 'REST API address', process.env['CEPHEUS_API_HOST'] ?? '127.0.0.1')
    .option('--live <events/s>', 'pace the replay at this rate so alerts arrive live, into a store of its own (<data>/live.db, emptied at each start); 0 = as fast as possible', parseNonNegative('--live'), 0)
    .option('--retention-days <n>', 'drop alerts stored longer ago than this at start', parseNonNegative('--retention-days'))
    .option('--reset', 'empty the alert store (alerts.db: alerts, statuses, notes) before replaying')
    .option('--no-serve', 'exit after the replay instead of serving the API')
    .action(async (opts: DemoOptions) => {
      let demo: DemoHandle;
      try {
        demo = await runDemo(opts);
        await demo.replayed;
      } catch (err) {
        printError(err);
        return;
      }
      if (!opts.serve) {
        await demo.close();
        return;
      }
      const stop = (): void => {
        void demo.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}

