// explain_key's job, on the file worker: `cepheus explain` over a bounded read of an event
// file. Every rule the runner loaded runs (contexts and key lifetimes are then those of the
// real run) with the runner's engine options, one (rule, key) is observed, and `expect`
// is answered over the whole history read (`from` then only narrows the timeline shown),
// as src/explain/run-explain.ts does for the command.
import { explainer } from '../core/explain/explain.ts';
import { whyNot } from '../core/explain/expect.ts';
import type { Verdict } from '../core/explain/expect.ts';
import type { Entry, Explanation } from '../core/explain/timeline.ts';
import { explainOutput, sourceOf } from '../explain/run-explain.ts';
import { reasonText } from '../explain/verdict-text.ts';
import { ruleLine } from '../explain/words.ts';
import { readEvents } from '../io/read-events.ts';
import { loadRules } from '../rules/load-rules.ts';
import type { LoadedRule } from '../rules/load-rules.ts';
import { bounded } from './bounded.ts';
import type { Stop } from './bounded.ts';
import type { ExplainDone, ExplainJob } from './worker-protocol.ts';

/** The entries a verdict rests on, as `cepheus explain --expect` prints them: its events', and the one where the candidate was lost. */
function evidenceOf(x: Explanation, v: Verdict): Entry[] {
  const ids = new Set(v.read);
  const lost = v.reason.kind === 'lost' ? v.reason.entry : undefined;
  return x.timeline.filter((e) => e === lost || (e.event !== null && ids.has(e.event.id)));
}

export async function runExplain(job: ExplainJob): Promise<ExplainDone> {
  const started = performance.now();
  // The runner loaded (and type-checked) these modules already.
  const loaded = (await loadRules(job.files, process.cwd(), { typeCheck: false })).filter((l) => job.ids.includes(l.rule.id));
  const asked = job.expect.length > 0;
  const x = explainer(loaded.map((l) => l.rule), {
    ruleId: job.rule, key: job.key, engine: job.engine,
    ...(job.from === undefined || asked ? {} : { from: job.from }), ...(job.to === undefined ? {} : { to: job.to }),
  });
  const stop: Stop = { by: 'end' };
  let recordsRead = 0;
  let inputErrors = 0;
  for await (const item of bounded(readEvents(job.input), job.maxEvents, started + job.maxWallMs, stop)) {
    recordsRead++;
    if ('error' in item) inputErrors++;
    else if (!x.push(item.event)) break;
  }
  const whole = x.finish();
  const verdict = asked ? whyNot(whole, job.expect) : undefined;
  const from = job.from;
  const explanation = asked && from !== undefined ? { ...whole, timeline: whole.timeline.filter((e) => e.at >= from) } : whole;
  const l = loaded.find((r) => r.rule.id === job.rule) as LoadedRule;
  const run = { explanation: whole, verdict, rule: l.rule, source: sourceOf(l), inputErrors };
  return {
    kind: 'explain', stoppedBy: stop.by, recordsRead, inputErrors, explanation,
    whyNot: verdict === undefined ? null : { verdict, answer: reasonText(verdict.reason, whole), evidence: evidenceOf(whole, verdict) },
    source: run.source, ruleLines: ruleLine(l.rule), text: explainOutput(run, false),
  };
}
