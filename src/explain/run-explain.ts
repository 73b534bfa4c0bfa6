// Explain over an event file, as `cepheus explain` runs it: loads the rules, replays the file
// through an explain-mode engine for one (rule, key), and answers `--expect` when asked.
import { relative } from 'node:path';
import { explainer } from '../core/explain/explain.ts';
import type { ExplainOptions } from '../core/explain/explain.ts';
import { whyNot } from '../core/explain/expect.ts';
import type { Verdict } from '../core/explain/expect.ts';
import type { Explanation } from '../core/explain/timeline.ts';
import type { AnyRule } from '../core/rule-types.ts';
import { readEvents } from '../io/read-events.ts';
import { loadRules } from '../rules/load-rules.ts';
import type { LoadedRule } from '../rules/load-rules.ts';
import { explanationText } from './timeline-text.ts';
import { verdictText } from './verdict-text.ts';

export interface ExplainRun {
  readonly explanation: Explanation;
  readonly verdict: Verdict | undefined;
  readonly rule: AnyRule;
  /** `path:line` of the rule's definition, relative to cwd. */
  readonly source: string;
  readonly inputErrors: number;
}

export interface ExplainFileOptions extends Omit<ExplainOptions, 'ruleId' | 'key'> {
  readonly rules: readonly string[];
  readonly rule: string;
  readonly key: string;
  readonly expect?: readonly string[];
}

export function sourceOf(l: LoadedRule, cwd: string = process.cwd()): string {
  return `${relative(cwd, l.source)}${l.line === undefined ? '' : `:${l.line}`}`;
}

export async function explainFile(file: string, opts: ExplainFileOptions, loaded?: readonly LoadedRule[]): Promise<ExplainRun> {
  const rules = loaded ?? await loadRules(opts.rules);
  const expect = opts.expect !== undefined && opts.expect.length > 0 ? opts.expect : undefined;
  // The answer to --expect reads the whole history: --from only narrows the printed timeline.
  const x = explainer(rules.map((l) => l.rule), {
    ruleId: opts.rule, key: opts.key, ...(opts.engine === undefined ? {} : { engine: opts.engine }),
    ...(opts.from === undefined || expect !== undefined ? {} : { from: opts.from }), ...(opts.to === undefined ? {} : { to: opts.to }),
    ...(opts.end === undefined ? {} : { end: opts.end }),
  });
  let inputErrors = 0;
  for await (const item of readEvents(file)) {
    if ('error' in item) {
      inputErrors++;
      continue;
    }
    if (!x.push(item.event)) break;
  }
  const explanation = x.finish();
  const l = rules.find((r) => r.rule.id === opts.rule) as LoadedRule;
  return { explanation, verdict: expect === undefined ? undefined : whyNot(explanation, expect), rule: l.rule, source: sourceOf(l), inputErrors };
}

/** What `cepheus explain` prints: the verdict for --expect, else the timeline; or JSON of either. */
export function explainOutput(run: ExplainRun, json: boolean): string {
  if (json) return `${JSON.stringify({ source: run.source, ...(run.verdict === undefined ? {} : { verdict: run.verdict }), explanation: run.explanation }, null, 2)}\n`;
  return run.verdict === undefined
    ? explanationText(run.explanation, run.rule, run.source)
    : verdictText(run.verdict, run.explanation, run.rule, run.source);
}
