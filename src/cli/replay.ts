// `cepheus replay <file>` and `cepheus test <rule...>`: run rules over an event file on the
// same core as the service, print a JSON summary, write alerts as JSON lines, and score them
// against the fixture's labels when a labels file sits next to it.
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { relative } from 'node:path';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import type { Alert } from '../core/alert.ts';
import { CepError } from '../core/errors.ts';
import type { EngineOptions } from '../core/engine/index.ts';
import type { AheadDecision } from '../core/time-guard.ts';
import type { AnyEvent } from '../events/types.ts';
import { loadRules } from '../rules/load-rules.ts';
import { readEventsAhead } from '../io/read-ahead.ts';
import { formatOf } from '../io/event-writer.ts';
import { readEvents } from '../io/read-events.ts';
import { alertLine, replay } from '../replay/replay.ts';
import type { ReplaySummary } from '../replay/replay.ts';
import { score } from '../replay/score.ts';
import type { Labels, RuleScore } from '../replay/score.ts';
import { collect, parseNonNegative, parsePositiveInt, printError } from './common.ts';

export interface ReplayCliOptions {
  rules: string[];
  out?: string;
  labels?: string;
  batchSize: number;
  outOfOrderMs: number;
  allowedLatenessMs: number;
  maxPartialMatches?: number;
  /** Keys per key space at most (Infinity: no bound); default: the engine's. */
  maxKeys?: number;
  maxKeysBySpace?: Record<string, number>;
  keyGroups?: number;
  /** Write every `evicted` effect here as a JSON line. */
  evictionsOut?: string;
  /** Quarantine events more than this ahead of the file's neighbouring events (default DEFAULT_MAX_AHEAD_MS). */
  maxAheadMs?: number;
  progress?: boolean;
  /** Type-check rule modules given by path before loading them (default true). */
  typeCheck?: boolean;
}

/**
 * Replay's future-event bound: an event more than this ahead of the events around it in the
 * file is quarantined (core/time-guard.ts, file rule). Real gaps are told apart by the events
 * after them, so this bounds disorder, not gaps.
 */
export const DEFAULT_MAX_AHEAD_MS = 3_600_000;

const iso = (ms: number | null): string => (ms === null ? 'none' : new Date(ms).toISOString());

/** The stderr line for an event replay quarantined. */
export function quarantineLine(d: AheadDecision<AnyEvent>): string {
  return `CEP_ERR_FUTURE_EVENT: event ${d.item.id} at ${iso(d.ts)} is more than --max-ahead-ms ahead of its stream (median of the next events ${iso(d.followers)}, latest accepted before it ${iso(d.before)}); quarantined, not processed`;
}

/** The labelled fixture shipped with Cepheus (fixtures/default.avro of the package). */
export const BUNDLED_FIXTURE = fileURLToPath(new URL('../../fixtures/default.avro', import.meta.url));

/** The bundled fixture, relative to the working folder when below it (in the repository: fixtures/default.avro). */
export function bundledFixture(cwd: string = process.cwd()): string {
  const rel = relative(cwd, BUNDLED_FIXTURE);
  return rel.startsWith('..') ? BUNDLED_FIXTURE : rel;
}

/** `--max-keys`: a whole number > 0, or `none` for no bound. */
function parseMaxKeys(name: string): (value: string) => number {
  const int = parsePositiveInt(name);
  return (value) => (value === 'none' ? Infinity : int(value));
}

/** `--max-keys-by-space ip=200000,account=none` (repeatable). */
function collectBudgets(value: string, previous: Record<string, number> | undefined): Record<string, number> {
  const out = { ...previous };
  for (const part of value.split(',').map((x) => x.trim()).filter((x) => x !== '')) {
    const m = /^([^=]+)=(.+)$/.exec(part);
    if (m === null) throw new CepError('CEP_ERR_CLI_ARG', `--max-keys-by-space expects <key space>=<n|none> (got '${part}')`);
    out[(m[1] as string).trim()] = parseMaxKeys(`--max-keys-by-space ${m[1] as string}`)((m[2] as string).trim());
  }
  return out;
}

/** The engine options the CLI flags set (the others keep the engine's defaults). */
export function replayEngineOptions(opts: ReplayCliOptions): Partial<EngineOptions> {
  return {
    outOfOrdernessMs: opts.outOfOrderMs, allowedLatenessMs: opts.allowedLatenessMs,
    ...(opts.maxPartialMatches === undefined ? {} : { maxPartialMatches: opts.maxPartialMatches }),
    ...(opts.maxKeys === undefined ? {} : { maxKeys: opts.maxKeys }),
    ...(opts.maxKeysBySpace === undefined ? {} : { maxKeysBySpace: opts.maxKeysBySpace }),
    ...(opts.keyGroups === undefined ? {} : { keyGroups: opts.keyGroups }),
  };
}

/** The labels file that goes with a fixture: `x.avro` → `x.labels.json`, if it exists. */
export function labelsPathFor(file: string): string | undefined {
  const candidate = file.replace(/\.(avro|jsonl|ndjson)$/, '') + '.labels.json';
  return candidate !== file && existsSync(candidate) ? candidate : undefined;
}

function progressReporter(enabled: boolean, totalHint: number | undefined): { tick: (n: number) => void; done: () => void } {
  if (!enabled) return { tick: () => undefined, done: () => undefined };
  const started = performance.now();
  return {
    tick: (n) => {
      const s = (performance.now() - started) / 1000;
      const rate = n / Math.max(s, 1e-3);
      const eta = totalHint !== undefined && totalHint > n ? ` ETA ${Math.ceil((totalHint - n) / rate)} s` : '';
      process.stderr.write(`\r${n.toLocaleString('en')} events, ${Math.round(rate).toLocaleString('en')} events/s${eta}   `);
    },
    done: () => process.stderr.write('\n'),
  };
}

/** Each input error code once: `CODE: n record(s), the first: message`, most frequent first. */
export function inputErrorLines(errors: ReadonlyMap<string, { readonly count: number; readonly first: string }>): string[] {
  return [...errors].sort(([a, x], [b, y]) => y.count - x.count || (a < b ? -1 : 1))
    .map(([code, e]) => `${code}: ${e.count.toLocaleString('en')} record${e.count === 1 ? '' : 's'}, the first: ${e.first}`);
}

export interface ReplayRun {
  readonly summary: ReplaySummary & { readonly input: string; readonly scores?: Record<string, RuleScore> };
  readonly alerts: Alert[];
  /** The labels scored against, when there were any. */
  readonly labels?: Labels;
}

/** Runs a replay as the CLI does (`replay`, `test`; the integration tests compare the service with it). */
export async function runReplay(file: string, opts: ReplayCliOptions): Promise<ReplayRun> {
  const loaded = await loadRules(opts.rules, process.cwd(), opts.typeCheck === undefined ? {} : { typeCheck: opts.typeCheck });
  const rules = loaded.map((l) => l.rule);
  const labelsPath = opts.labels ?? labelsPathFor(file);
  const labels = labelsPath === undefined ? undefined : (JSON.parse(readFileSync(labelsPath, 'utf8')) as Labels & { options?: { events?: number } });
  const out = opts.out === undefined ? undefined : createWriteStream(opts.out);
  const evictions = opts.evictionsOut === undefined ? undefined : createWriteStream(opts.evictionsOut);
  const alerts: Alert[] = [];
  const errors = new Map<string, { count: number; first: string }>();
  const quarantined: string[] = [];
  const progress = progressReporter(opts.progress ?? process.stderr.isTTY, labels?.options?.events);
  // JSON Lines: parsed on another core, beside the engine (read-ahead.ts). Avro files stay on
  // this thread: there the reading thread would add a decode and an encode per event to save
  // this one only avsc's decode (measured 0.5x at load 20; docs/performance.md).
  const ahead = availableParallelism() > 1 && formatOf(file) === 'jsonl';
  const summary = await replay(ahead ? readEventsAhead(file) : readEvents(file), {
    rules,
    batchSize: opts.batchSize,
    engine: replayEngineOptions(opts),
    onAlert: (a) => {
      alerts.push(a);
      if (out !== undefined && !out.write(`${alertLine(a)}\n`)) void once(out, 'drain');
    },
    ...(evictions === undefined ? {} : {
      onEffect: (f): void => {
        if (f.kind === 'evicted' && !evictions.write(`${JSON.stringify(f)}\n`)) void once(evictions, 'drain');
      },
    }),
    onInputError: (e) => {
      const seen = errors.get(e.code);
      if (seen === undefined) errors.set(e.code, { count: 1, first: e.message.replace(/^CEP_ERR_[A-Z_]+: /, '') });
      else seen.count++;
    },
    maxAheadMs: opts.maxAheadMs ?? DEFAULT_MAX_AHEAD_MS,
    onQuarantine: (d) => {
      if (quarantined.length < 20) quarantined.push(quarantineLine(d));
    },
    onProgress: progress.tick,
  });
  progress.done();
  for (const w of [out, evictions]) {
    if (w === undefined) continue;
    w.end();
    await once(w, 'finish');
  }
  const byCode = inputErrorLines(errors);
  if (summary.events === 0 && summary.inputErrors > 0) {
    throw new CepError('CEP_ERR_INPUT_NO_EVENTS', `every record of ${file} is invalid (${summary.inputErrors}), so nothing was replayed; each code once, with its count and first example:`, byCode);
  }
  for (const line of [...byCode, ...quarantined]) console.error(line);
  const scores = labels === undefined ? undefined : score(alerts, labels, rules.map((r) => r.id));
  return { summary: { input: file, ...summary, ...(scores === undefined ? {} : { scores }) }, alerts, ...(labels === undefined ? {} : { labels }) };
}

function replayOptions(cmd: Command): Command {
  return cmd
    .option('--rules <spec>', 'bundled rule id, rule module or folder; repeatable or comma-separated (default: all bundled rules)', collect, [])
    .option('--labels <file>', 'labels to score against (default: <fixture>.labels.json when present)')
    .option('--batch-size <n>', 'events between two collections of effects (does not change results)', parsePositiveInt('--batch-size'), 1024)
    .option('--out-of-order-ms <ms>', 'watermark lag behind the largest event time (bounded out-of-orderness)', parseNonNegative('--out-of-order-ms'), 5000)
    .option('--allowed-lateness-ms <ms>', 'how far behind the watermark an event is still processed', parseNonNegative('--allowed-lateness-ms'), 0)
    .option('--max-partial-matches <n>', 'bound on partial matches per (rule, key)', parsePositiveInt('--max-partial-matches'))
    .option('--max-keys <n>', 'keys held per key space at most, or `none`; beyond it the least recently active idle keys are evicted (default 500000)', parseMaxKeys('--max-keys'))
    .option('--max-keys-by-space <space=n>', 'the same for one key space, e.g. ip=200000; repeatable or comma-separated', collectBudgets)
    .option('--key-groups <n>', 'key groups the budget is split over (default 256; use the service\'s value to get its evictions)', parsePositiveInt('--key-groups'))
    .option('--evictions-out <file>', 'write each eviction batch (`evicted` effect: key space, time, idle and active keys) as a JSON line')
    .option('--max-ahead-ms <ms>', 'quarantine an event more than this ahead of the events around it (median of the next 16, and the latest before it): one event dated 2099 must not make the rest late', parseNonNegative('--max-ahead-ms'), DEFAULT_MAX_AHEAD_MS)
    .option('--progress', 'show progress on stderr (default: when stderr is a terminal)')
    .option('--no-progress', 'never show progress')
    .option('--no-type-check', 'load rule modules without type-checking them first (faster; a type error then shows only as a rule that never fires)');
}

export function replayCommand(): Command {
  return replayOptions(new Command('replay'))
    .description('run rules over an event file (Avro container .avro, or JSON Lines .jsonl) and print a JSON summary')
    .argument('<file>', 'event file: .avro (Avro object container) or .jsonl (one event per line with its kind)')
    .option('--out <file>', 'write alerts as JSON lines to this file')
    .action(async (file: string, opts: ReplayCliOptions) => {
      try {
        const { summary } = await runReplay(file, opts);
        console.log(JSON.stringify(summary, null, 2));
      } catch (err) {
        printError(err);
      }
    });
}

export function testCommand(): Command {
  return replayOptions(new Command('test'))
    .description('test rules against a labelled fixture: exit 1 unless every planted scenario is detected and no near miss fires (rules without labelled scenarios are reported and pass)')
    .argument('[rules...]', 'bundled rule ids, rule modules or folders (default: all bundled rules)')
    .option('--fixture <file>', 'labelled fixture to run', bundledFixture())
    .action(async (specs: string[], opts: ReplayCliOptions & { fixture: string }) => {
      try {
        const { summary, labels } = await runReplay(opts.fixture, { ...opts, rules: [...opts.rules, ...specs] });
        const labelsFile = opts.labels ?? labelsPathFor(opts.fixture) ?? opts.fixture;
        const lines = testReport(summary.scores, labels, summary.alertsByRule, relative(process.cwd(), labelsFile).startsWith('..') ? labelsFile : relative(process.cwd(), labelsFile));
        for (const line of lines.lines) console.log(line);
        if (!lines.ok) process.exitCode = 1;
      } catch (err) {
        printError(err);
      }
    });
}

/**
 * The lines `cepheus test` prints: PASS / FAIL per rule with labelled scenarios, and a plain
 * statement for rules (or fixtures) without any, which pass: there is nothing to miss.
 */
export function testReport(
  scores: Record<string, RuleScore> | undefined, labels: Labels | undefined, alertsByRule: Readonly<Record<string, number>>, labelsName: string,
): { ok: boolean; lines: string[] } {
  if (scores === undefined || labels === undefined) {
    return { ok: true, lines: Object.entries(alertsByRule).map(([rule, n]) => `SKIP ${rule.padEnd(24)} no labels for ${labelsName}: nothing to score  alerts ${n}`) };
  }
  let ok = true;
  const lines = Object.entries(scores).map(([rule, s]) => {
    if (!labels.scenarios.some((x) => x.rule === rule)) return `SKIP ${rule.padEnd(24)} no labelled scenarios in ${labelsName}  alerts ${s.alerts}`;
    const pass = s.recall === 1 && s.nearMissAlerts.length === 0 && s.positives > 0;
    ok &&= pass;
    return `${pass ? 'PASS' : 'FAIL'} ${rule.padEnd(24)} detected ${s.detected}/${s.positives}  alerts ${s.alerts}  precision ${s.precision.toFixed(2)}  near misses fired ${s.nearMissAlerts.length}${s.missed.length > 0 ? `  missed: ${s.missed.join(', ')}` : ''}`;
  });
  return { ok, lines };
}
