// An alert record always fits the alerts topic. One whose encoding is over the topic's
// max.message.bytes (a threshold over thousands of events, a huge context) is written with
// fewer matched events: the first and the last of each step, as many as fit. Its id, rule,
// key, times and aggregates are unchanged (the id still hashes every matched event); its
// message says how many were kept, and headers flag it:
//
//   cepheus.alert.trimmed = 'true', cepheus.alert.matched = <events matched in all>
//
// Should even two events per step not fit, the context is replaced by a note and the message
// cut short. The whole match can be rebuilt with `cepheus replay` of the same input.
import type { Alert, MatchedStep } from '../core/alert.ts';
import { fitsAlone, recordBytes } from '../kafka/sink.ts';
import type { OutputRecord } from '../kafka/sink.ts';

export const ALERT_TRIMMED = 'cepheus.alert.trimmed';
export const ALERT_MATCHED = 'cepheus.alert.matched';

export const matchedCount = (a: Pick<Alert, 'matched'>): number => a.matched.reduce((n, s) => n + s.events.length, 0);

/** The alert with at most `keep` events per step: the first ceil(keep/2) and the last floor(keep/2). */
export function trimAlert(a: Alert, keep: number, limit: number): Alert {
  const matched: MatchedStep[] = a.matched.map((s) => (s.events.length <= keep ? s : { step: s.step, events: [...s.events.slice(0, Math.ceil(keep / 2)), ...s.events.slice(s.events.length - Math.floor(keep / 2))] }));
  const kept = matchedCount({ matched });
  const note = ` [${kept} of ${matchedCount(a)} matched events kept, the first and last of each step: the whole alert is over the alerts topic's limit of ${limit} bytes]`;
  return { ...a, matched, message: `${a.message}${note}` };
}

export interface BoundedAlert {
  readonly record: OutputRecord;
  /** When trimmed: the matched events written, and matched in all. */
  readonly trimmed: { readonly kept: number; readonly total: number } | undefined;
}

/** The alert's record for a topic whose max.message.bytes is `limit`, trimmed when it would not fit. */
export async function boundedAlert(a: Alert, headers: Readonly<Record<string, string>>, limit: number, encode: (a: Alert) => Promise<Buffer>): Promise<BoundedAlert> {
  const whole: OutputRecord = { key: a.key, value: await encode(a), headers };
  if (fitsAlone(whole, limit)) return { record: whole, trimmed: undefined };
  const total = matchedCount(a);
  const flagged = { ...headers, [ALERT_TRIMMED]: 'true', [ALERT_MATCHED]: String(total) };
  const longest = Math.max(0, ...a.matched.map((s) => s.events.length));
  // A first guess from the size, then halve until it fits.
  let keep = Math.max(2, Math.min(longest - 1, Math.floor(longest * (limit / recordBytes(whole)) * 0.9)));
  for (;;) {
    const t = trimAlert(a, keep, limit);
    const record: OutputRecord = { key: a.key, value: await encode(t), headers: flagged };
    if (fitsAlone(record, limit)) return { record, trimmed: { kept: matchedCount(t), total } };
    if (keep <= 2) break;
    keep = Math.max(2, Math.floor(keep / 2));
  }
  const bare: Alert = { ...trimAlert({ ...a, message: a.message.slice(0, 2048) }, 2, limit), context: { trimmed: "the context was over the alerts topic's limit" } };
  return { record: { key: a.key, value: await encode(bare), headers: flagged }, trimmed: { kept: matchedCount(bare), total } };
}
