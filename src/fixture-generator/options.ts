// Generator options, their defaults and their checks. The labels file records the resolved
// options, so a fixture can be regenerated from its labels alone.
import { CepError } from '../core/errors.ts';

export interface GenOptions {
  /** PRNG seed: same seed and options ⇒ byte-identical output. */
  readonly seed: number;
  /** Total events in the file, planted scenarios included (exact). */
  readonly events: number;
  /** Background accounts (planted scenarios use extra, dedicated accounts). */
  readonly accounts: number;
  readonly instruments: number;
  readonly days: number;
  /** ISO-8601 start of the timeline. */
  readonly start: string;
  /** Plant scenarios and near misses (false: background only). */
  readonly scenarios: boolean;
  /** Positive instances per rule. */
  readonly positives: number;
  /** Instances per near-miss variant. */
  readonly nearMisses: number;
  /** Fraction of events delivered out of order, but less than `disorderBoundMs` behind. */
  readonly disorder: number;
  readonly disorderBoundMs: number;
  /** Fraction of events delivered 'lateMinMs'..'lateMaxMs' after their time (beyond the bound). */
  readonly late: number;
  readonly lateMinMs: number;
  readonly lateMaxMs: number;
}

export const DEFAULT_GEN_OPTIONS: GenOptions = {
  seed: 42,
  events: 36_000,
  accounts: 400,
  instruments: 60,
  days: 40,
  start: '2026-01-05T00:00:00.000Z',
  scenarios: true,
  positives: 3,
  nearMisses: 2,
  disorder: 0.02,
  disorderBoundMs: 5_000,
  late: 0.0005,
  lateMinMs: 120_000,
  lateMaxMs: 600_000,
};

export const GEN_OPTIONS_ERROR = 'CEP_ERR_GEN_OPTIONS';

export function resolveGenOptions(partial: Partial<GenOptions> = {}): GenOptions {
  const o: GenOptions = { ...DEFAULT_GEN_OPTIONS, ...partial };
  const problems: string[] = [];
  const int = (name: keyof GenOptions, min: number, max = Number.MAX_SAFE_INTEGER): void => {
    const v = o[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) problems.push(`${name} must be a whole number in [${min}, ${max}] (got ${String(v)})`);
  };
  const frac = (name: keyof GenOptions): void => {
    const v = o[name];
    if (typeof v !== 'number' || !(v >= 0 && v <= 0.5)) problems.push(`${name} must be a fraction in [0, 0.5] (got ${String(v)})`);
  };
  int('seed', 0, 0xffffffff);
  int('events', 1);
  int('accounts', 10, 5_000_000);
  int('instruments', 1, 100_000);
  int('days', 1, 3_650);
  int('positives', 0, 100);
  int('nearMisses', 0, 100);
  int('disorderBoundMs', 2, 3_600_000);
  int('lateMinMs', 1, 86_400_000);
  int('lateMaxMs', 1, 86_400_000);
  frac('disorder');
  frac('late');
  if (o.lateMinMs <= o.disorderBoundMs) problems.push(`lateMinMs (${o.lateMinMs}) must exceed disorderBoundMs (${o.disorderBoundMs}) so late events are beyond the bound`);
  if (o.lateMaxMs < o.lateMinMs) problems.push(`lateMaxMs (${o.lateMaxMs}) must be >= lateMinMs (${o.lateMinMs})`);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z$/.test(o.start) || Number.isNaN(Date.parse(o.start))) {
    problems.push(`start must be an ISO-8601 UTC time like 2026-01-05T00:00:00Z (got '${o.start}')`);
  }
  if (o.scenarios && o.days < 8) problems.push(`planting scenarios needs days >= 8 (got ${o.days}); pass more days or scenarios: false (--no-scenarios)`);
  if (problems.length > 0) throw new CepError(GEN_OPTIONS_ERROR, 'invalid generator options', problems);
  return o;
}
