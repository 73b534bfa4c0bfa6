// `cepheus demo` (what `npm start` runs): the embedded default. Replays the bundled fixture
// through the bundled rules on the same core as the service, writes the alerts, prints what
// fired and how it scores against the fixture's labels. No Kafka needed.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { AlertStore } from '../store/alert-store.ts';
import { buildDemoServer } from './demo-server.ts';
import { parsePositiveInt, printError } from './common.ts';
import { runReplay } from './replay.ts';
import type { ReplayRun } from './replay.ts';

export interface DemoOptions {
  fixture: string;
  out: string;
  port: number;
  host: string;
  serve: boolean;
}

export async function runDemo(opts: DemoOptions): Promise<ReplayRun> {
  mkdirSync(dirname(opts.out), { recursive: true });
  const run = await runReplay(opts.fixture, { rules: [], out: opts.out, batchSize: 1024, outOfOrderMs: 5000, allowedLatenessMs: 0, progress: false });
  const s = run.summary;
  console.log(`Cepheus demo: replayed ${s.events.toLocaleString('en')} events from ${opts.fixture} through ${s.rules.length} bundled rules in ${s.wallMs} ms (${s.eventsPerSec.toLocaleString('en')} events/s)`);
  console.log(`late events: ${s.late}, unreadable records: ${s.inputErrors}, rule errors: ${s.ruleErrors}`);
  console.log(`${s.alerts} alerts, written to ${opts.out}:`);
  for (const r of s.rules) {
    const sc = s.scores?.[r.id];
    const score = sc === undefined ? '' : `  (planted ${sc.detected}/${sc.positives} detected, precision ${sc.precision.toFixed(2)}, near misses fired ${sc.nearMissAlerts.length})`;
    console.log(`  ${r.id.padEnd(22)} ${String(s.alertsByRule[r.id] ?? 0).padStart(3)}${score}`);
  }
  const first = run.alerts[0];
  if (first !== undefined) console.log(`first alert: [${first.severity}] ${first.ruleId} on ${first.key}: ${first.message}`);
  return run;
}

export function demoCommand(): Command {
  return new Command('demo')
    .description('the embedded default: replay the bundled fixture through the bundled rules (no Kafka needed)')
    .option('--fixture <file>', 'event file to replay', 'fixtures/default.avro')
    .option('--out <file>', 'where to write the alerts (JSON lines)', '.run/demo/alerts.jsonl')
    .option('--port <n>', 'REST API port', parsePositiveInt('--port'), Number(process.env['CEPHEUS_API_PORT'] ?? 8080))
    .option('--host <addr>', 'REST API address', process.env['CEPHEUS_API_HOST'] ?? '127.0.0.1')
    .option('--no-serve', 'exit after the replay instead of serving the alerts over the REST API')
    .action(async (opts: DemoOptions) => {
      try {
        const run = await runDemo(opts);
        if (!opts.serve) return;
        const dbPath = join(dirname(opts.out), 'alerts.db');
        const store = new AlertStore(dbPath);
        const added = store.insertAll(run.alerts, Date.now());
        console.log(`alert store ${dbPath}: ${added} new, ${store.count()} in all (statuses survive restarts)`);
        const app = buildDemoServer({ store, rules: run.summary.rules });
        app.addHook('onClose', () => store.close());
        await app.listen({ port: opts.port, host: opts.host });
        const base = `http://${opts.host}:${opts.port}`;
        console.log(`REST API up: ${base}/api/v1/alerts  (also /api/v1/alerts/<id>, /api/v1/rules, /healthz); Ctrl-C stops`);
        const stop = (): void => {
          void app.close().then(() => process.exit(0));
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      } catch (err) {
        printError(err);
      }
    });
}
