// A sweep worker: loads the rule set once (already type-checked and validated by the main
// thread), then for each value it is sent rebuilds the swept rule, replays the event file and
// posts back that rule's figures. See sweep.ts.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { loadRules } from '../rules/load-rules.ts';
import type { Labels } from '../replay/score.ts';
import { alertsOver, ruleResult } from './backtest.ts';
import { withParam } from './sweep.ts';
import type { SweepJob, SweepMessage } from './sweep.ts';

const job = workerData as SweepJob;
const port = parentPort;
if (port === null) throw new Error('sweep-worker.ts runs as a worker thread');
const rules = (await loadRules(job.ruleSpecs, job.cwd, { typeCheck: false })).map((l) => l.rule);
const labels = job.labelsFile === null ? undefined : (JSON.parse(readFileSync(job.labelsFile, 'utf8')) as Labels);

port.on('message', (value: number) => {
  void (async () => {
    let message: SweepMessage;
    try {
      const set = withParam(rules, job, value);
      const rule = set.find((r) => r.id === job.rule);
      if (rule === undefined) throw new Error(`no rule ${job.rule}`);
      const alerts = (await alertsOver(job.events, set, job.engine)).filter((a) => a.ruleId === job.rule);
      const { alerts: n, positives, detected, precision, recall, nearMissesFired } = ruleResult(rule, alerts, labels);
      message = { value, row: { value, alerts: n, positives, detected, precision, recall, nearMissesFired } };
    } catch (err) {
      message = { value, error: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(message);
  })();
});
