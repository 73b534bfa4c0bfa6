// `cepheus backtest <rules> <events>`: per rule, alerts and precision / recall against the
// file's labels, and with --against the alerts only one of two rule sets raises (with ids);
// with --sweep, one replay per value of one factory parameter (worker threads) and an SVG of
// the trade-off. Tables by default, --json for the result objects.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { relative, resolve } from 'node:path';
import { Command } from 'commander';
import { backtest } from '../backtest/backtest.ts';
import { sweepPlot } from '../backtest/plot.ts';
import { backtestTable, sweepTable } from '../backtest/report.ts';
import { parseSweep, runSweep, withParam } from '../backtest/sweep.ts';
import type { SweepRow, SweepSpec } from '../backtest/sweep.ts';
import { CepError } from '../core/errors.ts';
import type { EngineOptions } from '../core/index.ts';
import type { Labels } from '../replay/score.ts';
import { loadRules } from '../rules/load-rules.ts';
import { collect, parseNonNegative, parsePositiveInt, printError } from './common.ts';
import { labelsPathFor } from './replay.ts';

export interface BacktestCliOptions {
  labels?: string;
  against: string[];
  sweep?: string;
  threads: number;
  plot?: string;
  json?: boolean;
  outOfOrderMs: number;
  allowedLatenessMs: number;
  typeCheck: boolean;
}

export interface SweepOutput {
  readonly events: string;
  readonly labels: string | null;
  readonly sweep: SweepSpec;
  readonly rows: readonly SweepRow[];
  readonly plot: string;
}

const specsOf = (rules: string): string[] => collect(rules, []);

/** Runs `cepheus backtest` and returns what it prints (stdout lines). */
export async function runBacktest(rules: string, events: string, opts: BacktestCliOptions, cwd: string = process.cwd()): Promise<string[]> {
  const labelsFile = opts.labels ?? labelsPathFor(events) ?? null;
  if (labelsFile !== null && !existsSync(labelsFile)) throw new CepError('CEP_ERR_NO_LABELS', `no labels file ${labelsFile}`);
  const labels = labelsFile === null ? undefined : { file: labelsFile, labels: JSON.parse(readFileSync(labelsFile, 'utf8')) as Labels };
  const engine: Partial<EngineOptions> = { outOfOrdernessMs: opts.outOfOrderMs, allowedLatenessMs: opts.allowedLatenessMs };
  const load = async (specs: string): Promise<ReturnType<typeof withParam>> =>
    (await loadRules(specsOf(specs), cwd, { typeCheck: opts.typeCheck })).map((l) => l.rule);
  const set = await load(rules);

  if (opts.sweep !== undefined) {
    const spec = parseSweep(opts.sweep);
    for (const v of spec.values) withParam(set, spec, v); // every value builds before any replay starts
    const threads = Math.min(opts.threads, spec.values.length);
    process.stderr.write(`sweep ${spec.rule}.${spec.param}: ${spec.values.length} replays of ${events} on ${threads} thread${threads === 1 ? '' : 's'}\n`);
    const rows = await runSweep({ ruleSpecs: specsOf(rules), cwd, events, labelsFile, rule: spec.rule, param: spec.param, engine }, spec.values, threads);
    const plot = resolve(cwd, opts.plot ?? `sweep-${spec.rule}-${spec.param}.svg`);
    writeFileSync(plot, sweepPlot(`${spec.rule}.${spec.param} on ${events}`, spec.param, rows));
    const out: SweepOutput = { events, labels: labelsFile, sweep: spec, rows, plot };
    if (opts.json) return [JSON.stringify(out, null, 2)];
    const shown = relative(cwd, plot).startsWith('..') ? plot : relative(cwd, plot);
    return [`sweep of ${spec.rule}.${spec.param} over ${events}${labelsFile === null ? ' (no labels)' : ` against labels ${labelsFile}`}`, ...sweepTable(spec.param, rows), `plot: ${shown}`];
  }

  const against = opts.against.length === 0 ? undefined : await load(opts.against.join(','));
  const result = await backtest({ events, rules: set, ...(against === undefined ? {} : { against }), ...(labels === undefined ? {} : { labels }), engine });
  return opts.json ? [JSON.stringify(result, null, 2)] : backtestTable(result);
}

export function backtestCommand(): Command {
  return new Command('backtest')
    .description('replay rules over an event file: alerts, precision and recall per rule against its labels, the diff against another rule set, or a calibration sweep of one parameter')
    .argument('<rules>', 'bundled rule ids, rule modules or folders (comma-separated)')
    .argument('<events>', 'event file: .avro or .jsonl')
    .option('--labels <file>', 'labels to score against (default: <events>.labels.json when present)')
    .option('--against <rules>', 'another rule set to diff with (alerts only in one set, by rule, key and matched events); repeatable', collect, [])
    .option('--sweep <spec>', "replay once per value of a library factory's parameter: '<rule>.<param>=<from>..<to> step <step>' or '<rule>.<param>=<v1>,<v2>'")
    .option('--threads <n>', 'worker threads for a sweep', parsePositiveInt('--threads'), availableParallelism())
    .option('--plot <file>', 'where the sweep writes its SVG (default: sweep-<rule>-<param>.svg)')
    .option('--json', 'print the result as JSON instead of a table')
    .option('--out-of-order-ms <ms>', 'watermark lag behind the largest event time', parseNonNegative('--out-of-order-ms'), 5000)
    .option('--allowed-lateness-ms <ms>', 'how far behind the watermark an event is still processed', parseNonNegative('--allowed-lateness-ms'), 0)
    .option('--no-type-check', 'load rule modules without type-checking them first')
    .action(async (rules: string, events: string, opts: BacktestCliOptions) => {
      try {
        for (const line of await runBacktest(rules, events, opts)) console.log(line);
      } catch (err) {
        printError(err);
      }
    });
}
