// Explain's timeline as text: a header naming the rule, one block per entry (the event, then
// what it did, one line each), and the state held at the end.
import type { Entry, Explanation, Happening } from '../core/explain/timeline.ts';
import type { AnyRule } from '../core/rule-types.ts';
import type { PartialMatchView, WindowView } from '../core/state-view.ts';
import { duration, eventName, evaluations, list, ruleLine, time, value } from './words.ts';

const withChecks = (line: string, evs: Parameters<typeof evaluations>[0]): string => (evs.length === 0 ? line : `${line} — ${evaluations(evs)}`);

export function windowText(w: WindowView): string {
  const aggs = Object.entries(w.aggregates).map(([k, v]) => `${k} = ${v === null ? 'none' : value(v)}`).join(', ');
  return `window [${time(w.start)}, ${time(w.end)}): ${w.events.length} event(s) ${w.events.map((e) => e.id).join(' ')}${aggs === '' ? '' : ` (${aggs})`}`;
}

export function matchText(v: PartialMatchView): string {
  const held = v.steps.filter((s) => s.events.length > 0).map((s) => `${s.step} ${s.events.map((e) => e.id).join(' ')}`).join('; ');
  return v.status === 'complete' ? `${held}; complete, decided at ${time(v.deadline)}` : `${held}; waits for ${list([...v.waitsFor])}${v.blocked ? ' (blocked by an absence)' : ''} until ${time(v.deadline)}`;
}

/** One line per happening. */
export function happeningText(h: Happening): string {
  switch (h.kind) {
    case 'opened': return withChecks(`opened #${h.match} at ${h.step}`, h.evaluations);
    case 'not-opened': return withChecks('opened nothing', h.evaluations);
    case 'took': return withChecks(`#${h.match}${h.from === null ? '' : ` (forked from #${h.from})`} took it into ${h.step} (${h.count})`, h.evaluations);
    case 'waits': return withChecks(`#${h.match} did not take it, waits for ${list([...h.waitsFor])}${h.blocked ? ' (blocked by an absence)' : ''}`, h.evaluations);
    case 'expired': return `#${h.match} expired: its deadline ${time(h.deadline)} had passed`;
    case 'dropped': return withChecks(`#${h.match} dropped: ${h.reason === 'strict' ? 'its next step needed the very next event' : 'an absence matched, so it can no longer advance'}`, h.evaluations);
    case 'completed': return `#${h.match} completed`;
    case 'pending': return `#${h.match} waits until ${time(h.deadline)} for no ${h.absence}`;
    case 'absence': return withChecks(h.matched ? `#${h.match} killed: it is a ${h.step} before the deadline` : `#${h.match} still waits: not a ${h.step}`, h.evaluations);
    case 'suppressed': return `#${h.match} completed too, not emitted (${h.strategy})`;
    case 'discarded': return `#${h.match} discarded (${h.strategy})`;
    case 'overflow': return `${h.matches.map((m) => `#${m}`).join(', ')} dropped: over maxPartialMatches`;
    case 'filtered': return withChecks('not counted', h.evaluations);
    case 'window': return withChecks(`${windowText(h.window)}${h.left.length > 0 ? `; left it: ${h.left.join(' ')}` : ''}`, h.evaluations);
    case 'window-decided': return withChecks(h.fired ? `decided: fires${h.consumed ? ', its events are used up' : ''}` : 'decided: no alert', h.evaluations);
    case 'window-overflow': return `${h.dropped} event(s) dropped: over maxWindowEvents`;
    case 'candidate': return withChecks(h.roles.length === 0 ? 'a candidate for no role' : `a candidate for ${list([...h.roles], 'and')}`, h.evaluations);
    case 'no-set': return h.missing === '' ? `no set as ${h.role}: in declared order only the last role completes one` : `no set as ${h.role}: no usable ${h.missing} candidate`;
    case 'consumed': return `used up: ${h.events.join(' ')}`;
    case 'alert': return `ALERT ${h.id}${h.match === null ? '' : ` from #${h.match}`}: ${h.message}`;
    case 'error': return `rule error: ${h.error}`;
    default: {
      const never: never = h;
      return JSON.stringify(never);
    }
  }
}

export function entryText(e: Entry, ruleKind: Explanation['ruleKind']): string[] {
  switch (e.kind) {
    case 'late':
      return [`${time(e.at)}  ${eventName(e.event as NonNullable<Entry['event']>)}`, `  late: behind the watermark ${time(e.watermark as number)} by more than the allowed lateness; not processed`];
    case 'timer':
      return [`${time(e.at)}  deadline`, ...e.happened.map((h) => `  ${happeningText(h)}`)];
    case 'evicted':
      return [`${time(e.at)}  key idle past its TTL since this event time: its state and context start afresh`];
    case 'event': {
      const lines = e.happened.map((h) => `  ${happeningText(h)}`);
      if (lines.length === 0) lines.push(ruleKind === 'sequence' ? `  no partial match waits for a ${(e.event as NonNullable<Entry['event']>).kind}, and it opens none` : '  nothing to do');
      return [`${time(e.at)}  ${eventName(e.event as NonNullable<Entry['event']>)}`, ...lines];
    }
    default: {
      const never: never = e.kind;
      return [String(never)];
    }
  }
}

export function headerText(x: Explanation, rule: AnyRule, source: string | undefined): string[] {
  return [`${x.ruleId} at key ${x.key}${source === undefined ? '' : ` (${source})`}`, ...ruleLine(rule).map((l) => `  ${l}`)];
}

export function stateText(x: Explanation): string[] {
  const s = x.state;
  const lines = [`state at the end (watermark ${s.watermark === null ? 'none' : time(s.watermark)}):`];
  const ids = new Map<string, number>(Object.entries(x.matches).map(([id, v]) => [JSON.stringify(v), Number(id)]));
  switch (s.state.kind) {
    case 'sequence':
      if (s.state.partialMatches.length === 0) lines.push('  no partial match');
      for (const v of s.state.partialMatches) {
        const id = ids.get(JSON.stringify(v));
        lines.push(`  ${id === undefined ? '' : `#${id} `}${matchText(v)}`);
      }
      break;
    case 'threshold':
      if (s.state.windows.length === 0) lines.push('  no open window');
      for (const w of s.state.windows) lines.push(`  ${windowText(w)}`);
      break;
    case 'correlation':
      for (const r of s.state.roles) lines.push(`  ${r.role}: ${r.candidates.length === 0 ? 'no candidate' : r.candidates.map((e) => e.id).join(' ')}`);
      break;
    default: {
      const never: never = s.state;
      lines.push(String(never));
    }
  }
  lines.push(`  context: ${value(s.context)}`);
  return lines;
}

/** The whole timeline as text. */
export function explanationText(x: Explanation, rule: AnyRule, source?: string): string {
  const lines = headerText(x, rule, source);
  lines.push('');
  for (const e of x.timeline) lines.push(...entryText(e, x.ruleKind));
  if (x.timeline.length === 0) lines.push('(nothing reached the rule at this key in the range)');
  lines.push('', ...stateText(x));
  return `${lines.join('\n')}\n`;
}

export { duration };
