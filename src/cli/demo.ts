// `cepheus demo` (what `npm start` runs): the embedded default. Replays the bundled fixture
// through the bundled rules on the same core as the service, writes the alerts, prints what
// fired and how it scores against the fixture's labels. No Kafka needed.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Command } from 'commander';
import { printError } from './common.ts';
import { runReplay } from './replay.ts';
import type { ReplayRun } from './replay.ts';

export interface DemoOptions {
  fixture: string;
  out: string;
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
    .action(async (opts: DemoOptions) => {
      try {
        await runDemo(opts);
      } catch (err) {
        printError(err);
      }
    });
}
