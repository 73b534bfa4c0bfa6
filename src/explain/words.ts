// Small pieces of explain's text: times, durations, values read by predicates, events.
import type { JsonValue } from '../core/json.ts';
import type { Evaluation } from '../core/explain/trace.ts';
import type { AnyRule, PatternStep } from '../core/rule-types.ts';
import type { AnyEvent } from '../events/types.ts';

export const time = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms));

export function duration(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

export function value(v: JsonValue): string {
  return JSON.stringify(v);
}

/** `label: no (e.success = true, ctx.knownDevices = ["d1"])`. */
export function evaluation(ev: Evaluation): string {
  const reads = ev.reads.map((r) => `${r.path} = ${value(r.value)}`).join(', ');
  const verdict = ev.error !== undefined ? `threw ${ev.error}` : ev.result ? 'yes' : 'no';
  return `${ev.label}: ${verdict}${reads === '' ? '' : ` (${reads})`}`;
}

export function evaluations(evs: readonly Evaluation[]): string {
  return evs.map(evaluation).join('; ');
}

/** The reads of the evaluations that said no, for a sentence: `e.success = true, e.device = "d7"`. */
export function noReads(evs: readonly Evaluation[]): string {
  const no = evs.filter((e) => !e.result);
  return no.map((e) => `${e.label} was false (it read ${e.reads.map((r) => `${r.path} = ${value(r.value)}`).join(', ') || 'nothing'})`).join('; ');
}

export const eventName = (e: AnyEvent): string => `${e.kind} ${e.id}`;
export const eventAt = (e: AnyEvent): string => `${e.id} (${e.kind} at ${time(e.ts)})`;

export const list = (xs: readonly string[], word = 'or'): string =>
  xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} ${word} ${xs[xs.length - 1] as string}`;

/** One line describing the rule: kind, bound, strategy, and its steps / window / roles. */
export function ruleLine(rule: AnyRule): string[] {
  switch (rule.kind) {
    case 'sequence': {
      const steps = (rule.steps as readonly PatternStep[]).map((s) => {
        if (s.type === 'absent') return `not ${s.name}: ${s.kind}`;
        const q = s.quantifier;
        const n = q.min === 1 && q.max === 1 ? '' : q.min === q.max ? ` times(${q.min})` : ` times(${q.min}, ${q.max})`;
        return `${s.name}: ${s.kind}${n}`;
      });
      return [`sequence within ${duration(rule.within)}, skip ${rule.skip}`, `steps: ${steps.join(' -> ')}`];
    }
    case 'threshold': {
      const w = rule.window;
      const win = w.type === 'session' ? `session(${duration(w.gap)})` : `${w.type}(${duration(w.size)})`;
      return [`threshold on ${rule.on}, ${win}${w.type === 'sliding' ? `, skip ${rule.skip}` : ''}`, `measures: ${Object.keys(rule.measures).join(', ')}`];
    }
    case 'correlation':
      return [`correlation within ${duration(rule.within)}, order ${rule.order}, skip ${rule.skip}`, `roles: ${rule.roles.map((r) => `${r.name}: ${r.kind}`).join(', ')}`];
    default: {
      const never: never = rule;
      return [String(never)];
    }
  }
}
