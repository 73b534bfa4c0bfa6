// Rule validation at load time. Every problem names the rule, the place and the fix, and
// all problems are reported at once so an author fixes them in one pass.
import { EVENT_KINDS } from '../events/types.ts';
import type { EventKind } from '../events/types.ts';
import { CepError } from './errors.ts';
import { parseSkip, SEVERITIES } from './rule-types.ts';
import type { AnyRule, PatternStep, PositiveStep } from './rule-types.ts';

const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Upper bound on any quantifier: beyond it partial matches would not stay small. */
export const MAX_QUANTIFIER = 10_000;

function isDuration(x: unknown): boolean {
  return typeof x === 'number' && Number.isFinite(x) && x > 0;
}

function checkKinds(rule: AnyRule, kinds: readonly EventKind[], where: string, problems: string[]): void {
  for (const k of kinds) {
    if (!(EVENT_KINDS as readonly string[]).includes(k)) problems.push(`${where}: unknown event kind '${k}' (known: ${EVENT_KINDS.join(', ')})`);
    else if (typeof (rule.key.keys as Record<string, unknown>)[k] !== 'function') {
      problems.push(`${where}: reads '${k}' events but key space '${rule.key.name}' has no key for '${k}'; add \`${k}: (e) => ...\` to keyBy('${rule.key.name}', ...)`);
    }
  }
}

function checkSteps(rule: AnyRule & { kind: 'sequence' }, problems: string[]): void {
  const steps = rule.steps as readonly PatternStep[];
  const positives = steps.filter((s): s is PositiveStep => s.type === 'step');
  if (positives.length === 0) {
    problems.push('pattern has no step; start it with p.begin(name, kind, ...)');
    return;
  }
  const names = new Set<string>();
  steps.forEach((s, i) => {
    const at = `step '${s.name}' (#${i + 1})`;
    if (names.has(s.name)) problems.push(`${at}: duplicate step name; each step needs its own name`);
    names.add(s.name);
    checkKinds(rule, [s.kind], at, problems);
    if (s.type === 'absent') {
      if (i === 0) problems.push(`${at}: a pattern cannot start with an absence; begin with the event the absence follows`);
      const prev = steps[i - 1];
      const nextStep = steps[i + 1];
      if (prev?.type === 'absent') problems.push(`${at}: two absences in a row; merge them into one predicate`);
      if (prev?.type === 'step' && prev.quantifier.min === 0) problems.push(`${at}: an absence cannot follow an optional step`);
      if (nextStep?.type === 'step' && nextStep.quantifier.min === 0) problems.push(`${at}: an absence cannot precede an optional step`);
      return;
    }
    const q = s.quantifier;
    if (!Number.isInteger(q.min) || !Number.isInteger(q.max) && q.max !== Infinity) problems.push(`${at}: quantifier bounds must be whole numbers (got ${q.min}..${q.max})`);
    else if (q.max === Infinity || q.max > MAX_QUANTIFIER) problems.push(`${at}: unbounded quantifier (max ${q.max}); give an upper bound, e.g. oneOrMore(50) or times(3, 20), at most ${MAX_QUANTIFIER}`);
    else if (q.min < 0 || q.max < 1 || q.min > q.max) problems.push(`${at}: quantifier ${q.min}..${q.max} is empty; need 0 <= min <= max and max >= 1`);
  });
  const first = positives[0] as PositiveStep;
  if (steps[0]?.type === 'step' && first.quantifier.min === 0) problems.push(`step '${first.name}': the first step cannot be optional`);
  const lastPos = positives[positives.length - 1] as PositiveStep;
  if (lastPos.quantifier.min !== lastPos.quantifier.max) {
    problems.push(`step '${lastPos.name}': the last step completes as soon as it has its minimum; give it an exact count (times(${lastPos.quantifier.min})) or add a step after it`);
  }
}

const STRATEGY_LIST = 'no-skip, skip-past-last-event, skip-overlapping, skip-to-next, skip-to-first(<step>), skip-to-last(<step>)';

/** A sequence accepts every strategy; one naming a step must name a step that takes events. */
function checkSequenceSkip(rule: AnyRule & { kind: 'sequence' }, problems: string[]): void {
  const skip = String(rule.skip);
  const parsed = parseSkip(skip);
  const takes = (rule.steps as readonly PatternStep[]).filter((s) => s.type === 'step').map((s) => s.name);
  if (parsed === undefined) {
    const bare = skip === 'skip-to-first' || skip === 'skip-to-last';
    problems.push(bare ? `skip '${skip}' needs a step: ${skip}(<step>), e.g. ${skip}(${takes[0] ?? 'step'})` : `skip '${skip}' is not a strategy; use one of ${STRATEGY_LIST}`);
    return;
  }
  if (parsed.step === undefined || takes.includes(parsed.step)) return;
  const absent = (rule.steps as readonly PatternStep[]).some((s) => s.type === 'absent' && s.name === parsed.step);
  problems.push(`skip '${skip}': ${absent ? `'${parsed.step}' is an absence, which takes no event` : `no step '${parsed.step}'`}; name a step that takes events: ${takes.join(', ')}`);
}

/** Thresholds and correlations hold no ordered steps: the strategies naming or starting one do not apply. */
function checkUnorderedSkip(rule: AnyRule & { kind: 'threshold' | 'correlation' }, problems: string[]): void {
  const skip = String(rule.skip);
  const parsed = parseSkip(skip);
  if (parsed !== undefined && (parsed.name === 'no-skip' || parsed.name === 'skip-past-last-event' || parsed.name === 'skip-overlapping')) return;
  if (parsed === undefined && skip !== 'skip-to-first' && skip !== 'skip-to-last') {
    problems.push(`skip '${skip}' is not a strategy; use one of no-skip, skip-past-last-event, skip-overlapping`);
  } else if (rule.kind === 'threshold') {
    problems.push(`skip '${skip}' does not apply to a threshold: a window has no steps and no partial matches; use skip-past-last-event (an event counts in one alert at most; the same as skip-overlapping for a window) or no-skip (it counts in every window it is in)`);
  } else {
    problems.push(`skip '${skip}' does not apply to a correlation: its roles hold candidates, not ordered steps; use skip-overlapping (an event is in one alert at most), skip-past-last-event (a match also clears every other candidate held) or no-skip`);
  }
}

/** Validates one rule; returns the problems found (empty when valid). */
export function ruleProblems(rule: AnyRule): string[] {
  const problems: string[] = [];
  if (typeof rule.id !== 'string' || !ID.test(rule.id)) problems.push(`id '${String(rule.id)}' must be kebab-case: lowercase letters, digits and '-', 1-63 chars`);
  if (!Number.isInteger(rule.version) || rule.version < 1) problems.push(`version must be a positive whole number (got ${String(rule.version)})`);
  if (!(SEVERITIES as readonly string[]).includes(rule.severity)) problems.push(`severity '${String(rule.severity)}' must be one of ${SEVERITIES.join(', ')}`);
  if (typeof rule.description !== 'string' || rule.description.trim() === '') problems.push('description is empty; say in one line what the rule catches');
  if (rule.key === undefined || typeof rule.key.name !== 'string') {
    problems.push("key is missing; declare how the streams are keyed, e.g. key: keyBy('account', { login: (e) => e.account })");
    return problems;
  }
  switch (rule.kind) {
    case 'sequence':
      if (!isDuration(rule.within)) problems.push('within is missing or not a positive duration; every sequence needs a bound, e.g. within: minutes(30)');
      checkSteps(rule, problems);
      checkSequenceSkip(rule, problems);
      break;
    case 'threshold': {
      checkKinds(rule, [rule.on], `on '${rule.on}'`, problems);
      const w = rule.window;
      if (w === undefined) problems.push('window is missing; use tumbling(d), sliding(d) or session(gap)');
      else if (!isDuration(w.type === 'session' ? w.gap : w.size)) problems.push(`${w.type} window needs a positive duration`);
      const names = Object.keys(rule.measures ?? {});
      if (names.length === 0) problems.push('measures is empty; e.g. measures: (m) => ({ n: m.count() })');
      for (const [name, m] of Object.entries(rule.measures ?? {})) {
        if (m.op === 'ewma' && !(m.alpha > 0 && m.alpha <= 1)) problems.push(`measure '${name}': ewma alpha must be in (0, 1] (got ${m.alpha})`);
      }
      if (typeof rule.when !== 'function') problems.push('when is missing; give the condition on the aggregates, e.g. when: (a) => a.n >= 10');
      checkUnorderedSkip(rule, problems);
      break;
    }
    case 'correlation': {
      if (!isDuration(rule.within)) problems.push('within is missing or not a positive duration, e.g. within: minutes(30)');
      checkUnorderedSkip(rule, problems);
      if (rule.roles.length < 2) problems.push('a correlation needs at least two roles: events: (r) => r.role(...).role(...)');
      const names = new Set<string>();
      for (const role of rule.roles) {
        if (names.has(role.name)) problems.push(`role '${role.name}': duplicate role name`);
        names.add(role.name);
        checkKinds(rule, [role.kind], `role '${role.name}'`, problems);
      }
      break;
    }
    default: {
      const never: never = rule;
      problems.push(`unknown rule kind '${String((never as { kind: unknown }).kind)}'; build rules with sequence(), threshold() or correlate()`);
    }
  }
  return problems;
}

/** Validates a rule set; throws one CepError listing every problem of every rule. */
export function validateRules(rules: readonly AnyRule[]): void {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  rules.forEach((rule, i) => {
    const label = `rule '${String(rule?.id)}'`;
    if (rule === null || typeof rule !== 'object' || !('kind' in rule)) {
      problems.push(`rule #${i + 1} is not a rule; export the result of sequence(), threshold() or correlate()`);
      return;
    }
    for (const p of ruleProblems(rule)) problems.push(`${label}: ${p}`);
    if (seen.has(rule.id)) problems.push(`${label}: duplicate id (also rule #${(seen.get(rule.id) as number) + 1}); rule ids must be unique`);
    seen.set(rule.id, i);
  });
  if (problems.some((p) => p.includes('duplicate id'))) {
    throw new CepError('CEP_ERR_RULE_DUPLICATE_ID', 'rules failed validation', problems);
  }
  if (problems.length > 0) throw new CepError('CEP_ERR_RULE_INVALID', 'rules failed validation', problems);
}
