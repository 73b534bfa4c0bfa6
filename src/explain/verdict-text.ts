// The answer to `--expect`: one sentence saying where the candidate made of the expected events
// failed, then the evidence (the timeline entries of those events and of the failure).
import type { Reason, Verdict } from '../core/explain/expect.ts';
import type { Entry, Explanation, Happening } from '../core/explain/timeline.ts';
import type { AnyRule } from '../core/rule-types.ts';
import type { PartialMatchView } from '../core/state-view.ts';
import { entryText, headerText } from './timeline-text.ts';
import { eventAt, list, noReads, time, value } from './words.ts';

const holding = (v: PartialMatchView): string =>
  v.steps.filter((s) => s.events.length > 0).map((s) => `${s.step} ${s.events.map((e) => e.id).join(' ')}`).join(', ');

function lostHow(h: Happening, entry: Entry): string {
  const at = entry.event === null ? `at ${time(entry.at)}` : `at ${eventAt(entry.event)}`;
  switch (h.kind) {
    case 'expired': return `expired ${at}: its deadline ${time(h.deadline)} had passed`;
    case 'dropped': return `was dropped ${at}: ${h.reason === 'strict' ? 'its next step needed the very next event' : 'an absence matched'}${h.evaluations.length > 0 ? ` (${noReads(h.evaluations)})` : ''}`;
    case 'discarded': return `was discarded by ${h.strategy} ${at}, when another match was emitted`;
    case 'suppressed': return `completed ${at} but was not emitted: ${h.strategy} kept an earlier-started match`;
    case 'overflow': return `was dropped ${at}: the key held more than maxPartialMatches partial matches`;
    case 'absence': return `was complete, but ${entry.event === null ? 'an event' : entry.event.id} is a ${h.step} before its deadline (${noReads(h.evaluations.map((e) => ({ ...e, result: !e.result })))})`;
    default: return `ended ${at}`;
  }
}

/** The one sentence. */
export function reasonText(r: Reason, x: Explanation): string {
  switch (r.kind) {
    case 'fired': return `They did raise an alert: ${r.alert} (${r.message}).`;
    case 'late': return `${eventAt(r.event)} came late: behind the watermark ${time(r.watermark)} by more than the allowed lateness, so it was not processed.`;
    case 'not-opened': return r.evaluations.length > 0
      ? `The first of them, ${eventAt(r.event)}, opened no partial match: ${noReads(r.evaluations)}.`
      : `The first of them, ${eventAt(r.event)}, opened no partial match: ${r.step} takes another kind of event.`;
    case 'not-taken': {
      const m = `#${r.match} (${holding(r.view)})`;
      const h = r.how;
      if (h === null) return `${eventAt(r.event)} did not extend ${m}: it waited for ${list([...r.view.waitsFor])}, which ${r.event.kind} events cannot be.`;
      if (h.kind === 'waits') return `${eventAt(r.event)} did not extend ${m}, which waited for ${list([...h.waitsFor])}: ${noReads(h.evaluations)}.`;
      if (h.kind === 'expired') return `${eventAt(r.event)} came after ${m} expired: its deadline ${time(h.deadline)} (first event + ${x.ruleKind === 'sequence' ? 'within' : 'size'}) had passed.`;
      return `${eventAt(r.event)} did not extend ${m}: it ${lostHow(h, { kind: 'event', at: r.event.ts, event: r.event, watermark: null, happened: [] })}.`;
    }
    case 'lost': return `#${r.match} (${holding(r.view)}) ${lostHow(r.how, r.entry)}.`;
    case 'incomplete': return r.view.status === 'complete'
      ? `#${r.match} (${holding(r.view)}) is complete and waits until ${time(r.view.deadline)} for its absence; the input ended before.`
      : `When the input ended, #${r.match} (${holding(r.view)}) still waited for ${list([...r.view.waitsFor])} until ${time(r.view.deadline)}.`;
    case 'filtered': return `${eventAt(r.event)} was not counted: ${noReads(r.evaluations)}.`;
    case 'left-window': return `${list([...r.left], 'and')} had left the window by ${eventAt(r.event)}.`;
    case 'condition': {
      const aggs = Object.entries(r.window.aggregates).map(([k, v]) => `${k} = ${v === null ? 'none' : value(v)}`).join(', ');
      return `With all of them in the window${r.event === null ? ` closed at ${time(r.at)}` : ` at ${eventAt(r.event)}`} (${r.window.events.length} event(s): ${aggs}), ${noReads(r.evaluations)}.`;
    }
    case 'window-open': return `The window holding them, [${time(r.window.start)}, ${time(r.window.end)}), had not closed when the input ended.`;
    case 'not-candidate': return `${eventAt(r.event)} is a candidate for no role: ${noReads(r.evaluations)}.`;
    case 'no-set': return r.missing === ''
      ? `${eventAt(r.event)} completes no set as ${r.role}: in declared order only the last role completes one.`
      : `${eventAt(r.event)} completes no set as ${r.role}: no usable ${r.missing} candidate within the bound.`;
    case 'other-set': return `A set formed with other candidates (the latest usable ones): ${r.alert} with ${r.events.join(' ')}.`;
    default: {
      const never: never = r;
      return JSON.stringify(never);
    }
  }
}

/** The sentence, then the evidence. */
export function verdictText(v: Verdict, x: Explanation, rule: AnyRule, source?: string): string {
  const lines = headerText(x, rule, source);
  lines.push('', `Why ${v.read.join(' ')} raised no alert${v.reason.kind === 'fired' ? ' (they did)' : ''}:`, reasonText(v.reason, x));
  if (v.unread.length > 0) lines.push(`Not read by ${x.ruleId} at ${x.key}: ${v.unread.join(' ')}.`);
  const ids = new Set(v.read);
  const failure = v.reason.kind === 'lost' ? v.reason.entry : undefined;
  const evidence = x.timeline.filter((e) => e === failure || (e.event !== null && ids.has(e.event.id)));
  lines.push('', 'evidence:');
  for (const e of evidence) lines.push(...entryText(e, x.ruleKind).map((l) => `  ${l}`));
  return `${lines.join('\n')}\n`;
}
