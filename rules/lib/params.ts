// Reading a factory's parameters: a value given (not undefined) wins over the default, and
// numbers a rule cannot work with are refused when the rule is built, naming the rule and
// the parameter (CEP_ERR_RULE_INVALID), before any event is read.
import { CepError } from 'cepheus';
import type { AnyRule } from 'cepheus';
import type { RuleIdentity } from './defaults.ts';

/** The rule, marked with the factory and parameters that built it (for backtest sweeps). */
export function built<R extends AnyRule>(rule: R, factory: string, params: object): R {
  return { ...rule, origin: { factory, params: { ...params } } };
}

type Severity = NonNullable<RuleIdentity['severity']>;

/** The rule's id, version, severity and tags: the bundled rule's unless given. */
export function identity(p: RuleIdentity, id: string, severity: Severity, tags: readonly string[]): { id: string; version: number; severity: Severity; tags: readonly string[] } {
  return { id: p.id ?? id, version: p.version ?? 1, severity: p.severity ?? severity, tags: p.tags ?? tags };
}

function refuse(rule: string, name: string, must: string, value: number): never {
  throw new CepError('CEP_ERR_RULE_INVALID', `${rule}: ${name} must be ${must} (got ${value})`);
}

/** A number > 0 (amounts, factors, durations). */
export function positive(rule: string, name: string, value: number): number {
  return Number.isFinite(value) && value > 0 ? value : refuse(rule, name, 'a number > 0', value);
}

/** A whole number >= min (counts). */
export function count(rule: string, name: string, value: number, min = 1): number {
  return Number.isInteger(value) && value >= min ? value : refuse(rule, name, `a whole number >= ${min}`, value);
}

/** A fraction in (0, 1). */
export function fraction(rule: string, name: string, value: number): number {
  return Number.isFinite(value) && value > 0 && value < 1 ? value : refuse(rule, name, 'a number between 0 and 1 (exclusive)', value);
}
