// Calibration sweeps: `structuring.threshold=8000..10000 step 250` replays the rule set once per
// value, the named rule rebuilt by its library factory with that one parameter changed, and
// reports alerts, precision and recall per value. Values run in parallel on worker threads
// (sweep-worker.ts), each replaying the file itself; results come back in value order.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import * as library from 'cepheus/rules';
import { CepError } from '../core/errors.ts';
import type { AnyRule, EngineOptions } from '../core/index.ts';
import type { RuleResult } from './backtest.ts';

export interface SweepSpec {
  readonly rule: string;
  readonly param: string;
  readonly values: readonly number[];
}

/** Most values one sweep may take: each is a full replay. */
export const MAX_SWEEP_VALUES = 200;

const UNITS: Readonly<Record<string, number>> = { '': 1, ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

function number(text: string, spec: string): number {
  const m = /^(-?\d+(?:\.\d+)?|-?\d{1,3}(?:_\d{3})+)(ms|s|min|m|h|d)?$/.exec(text.trim());
  if (m === null) throw new CepError('CEP_ERR_SWEEP', `'${text.trim()}' in --sweep '${spec}' is not a number (a duration may end in ms, s, m, h or d)`);
  return Number((m[1] as string).replaceAll('_', '')) * (UNITS[m[2] ?? ''] as number);
}

/**
 * Parses `<rule>.<param>=<from>..<to> step <step>` (both ends included) or
 * `<rule>.<param>=<v1>,<v2>,...`. Durations may carry a unit: `within=12h..48h step 12h`.
 */
export function parseSweep(spec: string): SweepSpec {
  const m = /^\s*([a-z0-9][a-z0-9-]*)\.([A-Za-z][A-Za-z0-9]*)\s*=\s*(.+?)\s*$/.exec(spec);
  if (m === null) throw new CepError('CEP_ERR_SWEEP', `--sweep '${spec}' is not <rule>.<parameter>=<from>..<to> step <step> or <rule>.<parameter>=<v1>,<v2>,...`);
  const [, rule, param, range] = m as unknown as [string, string, string, string];
  let values: number[];
  const r = /^(\S+)\s*\.\.\s*(\S+)\s+step\s+(\S+)$/.exec(range);
  if (r !== null) {
    const [from, to, step] = [number(r[1] as string, spec), number(r[2] as string, spec), number(r[3] as string, spec)];
    if (!(step > 0) || to < from) throw new CepError('CEP_ERR_SWEEP', `--sweep '${spec}': the range must go up (from <= to) by a step > 0`);
    const n = Math.floor((to - from) / step + 1e-9) + 1;
    if (n > MAX_SWEEP_VALUES) throw new CepError('CEP_ERR_SWEEP', `--sweep '${spec}' has ${n} values; at most ${MAX_SWEEP_VALUES} (each is a full replay): widen the step`);
    // from + i * step, not repeated addition: 0.1 steps stay 0.1, 0.2, 0.3 and not 0.30000000000000004.
    values = Array.from({ length: n }, (_, i) => Number((from + i * step).toPrecision(12)));
  } else {
    values = range.split(',').map((v) => number(v, spec));
    if (values.length > MAX_SWEEP_VALUES) throw new CepError('CEP_ERR_SWEEP', `--sweep '${spec}' has ${values.length} values; at most ${MAX_SWEEP_VALUES}`);
  }
  return { rule, param, values };
}

type Factory = (params: Record<string, unknown>) => AnyRule;

/** The rule set with `spec.rule` rebuilt by its factory with `spec.param` = value. */
export function withParam(rules: readonly AnyRule[], spec: Pick<SweepSpec, 'rule' | 'param'>, value: number): AnyRule[] {
  const target = rules.find((r) => r.id === spec.rule);
  if (target === undefined) throw new CepError('CEP_ERR_SWEEP', `no rule '${spec.rule}' in the rule set (rules: ${rules.map((r) => r.id).join(', ')})`);
  const origin = target.origin;
  const factory = origin === undefined ? undefined : (library as unknown as Record<string, Factory | undefined>)[origin.factory];
  const defaults = origin === undefined ? undefined : (library.DEFAULTS as Readonly<Record<string, Readonly<Record<string, number>> | undefined>>)[origin.factory];
  if (origin === undefined || factory === undefined || defaults === undefined) {
    throw new CepError('CEP_ERR_SWEEP', `rule '${spec.rule}' was not built by a factory of cepheus/rules, so it cannot be rebuilt with another ${spec.param}; build it with one (e.g. structuring({ ... })) or sweep a copy by hand`);
  }
  if (!Object.hasOwn(defaults, spec.param)) {
    throw new CepError('CEP_ERR_SWEEP', `rule '${spec.rule}' (${origin.factory}) has no parameter '${spec.param}'; it has ${Object.keys(defaults).join(', ')}`);
  }
  const rebuilt = factory({ ...origin.params, [spec.param]: value });
  return rules.map((r) => (r === target ? rebuilt : r));
}

export interface SweepRow extends Pick<RuleResult, 'alerts' | 'positives' | 'detected' | 'precision' | 'recall' | 'nearMissesFired'> {
  readonly value: number;
}

export interface SweepJob {
  /** Rule specs as loadRules takes them, and the folder they are relative to. */
  readonly ruleSpecs: readonly string[];
  readonly cwd: string;
  readonly events: string;
  readonly labelsFile: string | null;
  readonly rule: string;
  readonly param: string;
  readonly engine: Partial<EngineOptions>;
}

export type SweepMessage = { readonly value: number; readonly row: SweepRow } | { readonly value: number; readonly error: string };

/** Replays once per value on up to `threads` worker threads; rows in value order. */
export async function runSweep(job: SweepJob, values: readonly number[], threads: number = availableParallelism()): Promise<SweepRow[]> {
  const queue = [...values];
  const rows = new Map<number, SweepRow>();
  const url = new URL(import.meta.url.endsWith('.ts') ? './sweep-worker.ts' : './sweep-worker.js', import.meta.url);
  const one = (): Promise<void> => new Promise((resolve, reject) => {
    const worker = new Worker(url, { workerData: job });
    const next = (): void => {
      const value = queue.shift();
      if (value === undefined) {
        void worker.terminate().then(() => resolve());
        return;
      }
      worker.postMessage(value);
    };
    worker.on('message', (m: SweepMessage) => {
      if ('error' in m) {
        void worker.terminate();
        reject(new CepError('CEP_ERR_SWEEP', `${job.rule}.${job.param}=${m.value}: ${m.error}`));
        return;
      }
      rows.set(m.value, m.row);
      next();
    });
    worker.once('error', reject);
    next();
  });
  await Promise.all(Array.from({ length: Math.max(1, Math.min(threads, values.length)) }, one));
  return values.map((v) => rows.get(v) as SweepRow);
}
