// The backtest tool's worker thread: loads the asked rules from their (trusted, server-side)
// modules, replays the event file through them on the same core as `cepheus replay`, and
// stops at the event or wall-time bound, whichever comes first. A thread, so a long backtest
// never holds the server's event loop, and the server can end it outright.
import { existsSync, readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { Alert } from '../core/alert.ts';
import { readEvents } from '../io/read-events.ts';
import { replay } from '../replay/replay.ts';
import type { ReplayItem, ReplaySummary } from '../replay/replay.ts';
import { score } from '../replay/score.ts';
import type { Labels, RuleScore } from '../replay/score.ts';
import { loadRules } from '../rules/load-rules.ts';

export interface BacktestJob {
  readonly files: readonly string[];
  readonly ids: readonly string[];
  readonly input: string;
  readonly maxEvents: number;
  readonly maxWallMs: number;
  readonly sampleAlerts: number;
}

export type StoppedBy = 'end' | 'maxEvents' | 'maxWallMs';

export interface BacktestDone {
  readonly summary: Omit<ReplaySummary, 'rules'>;
  readonly stoppedBy: StoppedBy;
  readonly sample: readonly Omit<Alert, 'matched' | 'context' | 'aggregates'>[];
  readonly scores: Readonly<Record<string, RuleScore>> | null;
}

export type BacktestReply = { readonly ok: true; readonly done: BacktestDone } | { readonly ok: false; readonly message: string };

/** Items of `items` until `maxEvents` were read or the deadline passed (checked every 1024). */
async function* bounded(items: AsyncIterable<ReplayItem>, maxEvents: number, deadline: number, stop: { by: StoppedBy }): AsyncGenerator<ReplayItem> {
  let n = 0;
  for await (const item of items) {
    if (n >= maxEvents) {
      stop.by = 'maxEvents';
      return;
    }
    if ((n & 1023) === 0 && performance.now() > deadline) {
      stop.by = 'maxWallMs';
      return;
    }
    n++;
    yield item;
  }
}

export async function runJob(job: BacktestJob): Promise<BacktestDone> {
  const started = performance.now();
  const rules = (await loadRules(job.files)).map((l) => l.rule).filter((r) => job.ids.includes(r.id));
  const stop: { by: StoppedBy } = { by: 'end' };
  const alerts: Alert[] = [];
  const { rules: _infos, ...summary } = await replay(bounded(readEvents(job.input), job.maxEvents, started + job.maxWallMs, stop), {
    rules, engine: { outOfOrdernessMs: 5000 }, onAlert: (a) => alerts.push(a),
  });
  const labelsPath = job.input.replace(/\.(avro|jsonl|ndjson)$/, '') + '.labels.json';
  const scores = stop.by === 'end' && labelsPath !== job.input && existsSync(labelsPath)
    ? score(alerts, JSON.parse(readFileSync(labelsPath, 'utf8')) as Labels, rules.map((r) => r.id))
    : null;
  const sample = alerts.slice(0, job.sampleAlerts).map(({ matched: _m, context: _c, aggregates: _a, ...s }) => s);
  return { summary, stoppedBy: stop.by, sample, scores };
}

if (parentPort !== null && workerData !== null && typeof workerData === 'object' && 'input' in workerData) {
  const port = parentPort;
  runJob(workerData as BacktestJob).then(
    (done) => port.postMessage({ ok: true, done } satisfies BacktestReply),
    (err: unknown) => port.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) } satisfies BacktestReply),
  );
}
