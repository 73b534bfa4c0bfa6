// run_backtest's job, on the file worker: loads the asked rules from their (trusted,
// server-side) modules, replays the event file through them on the same core as `cepheus
// replay`, stops at the event or wall-time bound, and scores against the file's labels when
// it was read to the end.
import { existsSync, readFileSync } from 'node:fs';
import type { Alert } from '../core/alert.ts';
import { readEvents } from '../io/read-events.ts';
import { replay } from '../replay/replay.ts';
import { score } from '../replay/score.ts';
import type { Labels } from '../replay/score.ts';
import { loadRules } from '../rules/load-rules.ts';
import { bounded } from './bounded.ts';
import type { Stop } from './bounded.ts';
import type { BacktestDone, BacktestJob } from './worker-protocol.ts';

export async function runBacktest(job: BacktestJob): Promise<BacktestDone> {
  const started = performance.now();
  // The runner loaded (and type-checked) these modules already; bundled ones need no check.
  const rules = (await loadRules(job.files, process.cwd(), { typeCheck: false })).map((l) => l.rule).filter((r) => job.ids.includes(r.id));
  const stop: Stop = { by: 'end' };
  const alerts: Alert[] = [];
  const { rules: _infos, ...summary } = await replay(bounded(readEvents(job.input), job.maxEvents, started + job.maxWallMs, stop), {
    rules, engine: { outOfOrdernessMs: 5000 }, onAlert: (a) => alerts.push(a),
  });
  const labelsPath = job.input.replace(/\.(avro|jsonl|ndjson)$/, '') + '.labels.json';
  const scores = stop.by === 'end' && labelsPath !== job.input && existsSync(labelsPath)
    ? score(alerts, JSON.parse(readFileSync(labelsPath, 'utf8')) as Labels, rules.map((r) => r.id))
    : null;
  const sample = alerts.slice(0, job.sampleAlerts).map(({ matched: _m, context: _c, aggregates: _a, ...s }) => s);
  return { kind: 'backtest', summary, stoppedBy: stop.by, sample, scores };
}
