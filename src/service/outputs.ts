// The records of one commit, from the outputs of the rounds it takes: alerts (keyed by the
// alert's key, rule in the headers), dead letters (the original record, with why and where
// from), late events (once each: behind the engine's watermark, every shard owning one of
// the event's keys reports it), and the checkpoint's records when there is one. Every record
// fits its topic's max.message.bytes (`limitOf`): a dead letter too big goes by reference
// (dead-letter.ts), an alert too big with fewer matched events (alert-bound.ts).
import type { Config } from '../config/config.ts';
import { shadowTopicOf } from '../config/config.ts';
import type { Alert } from '../core/alert.ts';
import { DL } from '../kafka/dead-letters.ts';
import type { OutputBatch, OutputRecord } from '../kafka/sink.ts';
import type { TopicPartition } from '../kafka/source.ts';
import type { RoundsOutput } from '../workers/rounds.ts';
import { boundedAlert } from './alert-bound.ts';
import { LATE_EVENT, byReference, deadLetter } from './dead-letter.ts';

/** An alert written with fewer matched events than it matched. */
export interface TrimmedAlert {
  readonly id: string;
  readonly ruleId: string;
  readonly kept: number;
  readonly total: number;
}

export interface CommitRecords {
  readonly batches: OutputBatch[];
  readonly deadLetters: number;
  readonly late: number;
  /** Dead letters by error code. */
  readonly codes: ReadonlyMap<string, number>;
  /** Dead letters and late events written by reference (too big for their topic). */
  readonly byReference: number;
  readonly trimmed: readonly TrimmedAlert[];
}

export async function commitRecords(
  out: RoundsOutput, tpOf: (stream: number) => TopicPartition | undefined, output: Config['output'],
  encodeAlert: (a: Alert) => Promise<Buffer>, checkpoint: readonly OutputRecord[] | undefined, limitOf: (topic: string) => number = () => Infinity,
): Promise<CommitRecords> {
  const alerts: OutputRecord[] = [];
  const trimmed: TrimmedAlert[] = [];
  for (const a of out.alerts) {
    const b = await boundedAlert(a, { 'cepheus.rule': a.ruleId, 'cepheus.rule.version': String(a.ruleVersion) }, limitOf(output.alerts), encodeAlert);
    alerts.push(b.record);
    if (b.trimmed !== undefined) trimmed.push({ id: a.id, ruleId: a.ruleId, ...b.trimmed });
  }
  // Candidates' alerts: the shadow topic, in the same transaction (shadow mode, rule-changes.ts).
  const shadowTopic = out.shadowAlerts === undefined ? undefined : shadowTopicOf({ output });
  const shadow: OutputRecord[] = [];
  for (const a of out.shadowAlerts ?? []) {
    const b = await boundedAlert(a, { 'cepheus.rule': a.ruleId, 'cepheus.rule.version': String(a.ruleVersion), 'cepheus.shadow': 'true' }, limitOf(shadowTopic ?? ''), encodeAlert);
    shadow.push(b.record);
  }
  const dead: OutputRecord[] = [];
  const codes = new Map<string, number>();
  const deadLimit = limitOf(output.deadLetter);
  for (const x of out.rejected) {
    const tp = tpOf(x.stream);
    if (tp === undefined) continue;
    dead.push(deadLetter(x.record, tp.topic, tp.partition, x.offset, x.code, x.message, {}, deadLimit));
    codes.set(x.code, (codes.get(x.code) ?? 0) + 1);
  }
  const late: OutputRecord[] = [];
  const seen = new Set<string>();
  const lateTopic = output.late ?? output.deadLetter;
  const lateLimit = limitOf(lateTopic);
  for (const x of out.late) {
    const tp = tpOf(x.stream);
    const where = `${x.stream}/${x.offset}`;
    if (tp === undefined || seen.has(where)) continue;
    seen.add(where);
    const message = `${LATE_EVENT}: event ${x.eventId} at ${new Date(x.ts).toISOString()} is ${x.watermark - x.ts} ms behind the watermark ${new Date(x.watermark).toISOString()}; not processed`;
    // A late event restored from a checkpoint has no record at hand: its dead letter carries no bytes.
    late.push(deadLetter(x.record ?? { key: null, value: null, timestamp: 0 }, tp.topic, tp.partition, x.offset, LATE_EVENT, message, { [DL.WATERMARK]: String(x.watermark) }, lateLimit));
  }
  const batches: OutputBatch[] = [{ topic: output.alerts, records: alerts }];
  if (lateTopic === output.deadLetter) batches.push({ topic: output.deadLetter, records: [...dead, ...late] });
  else batches.push({ topic: output.deadLetter, records: dead }, { topic: lateTopic, records: late });
  if (shadowTopic !== undefined) batches.push({ topic: shadowTopic, records: shadow });
  if (checkpoint !== undefined) batches.push({ topic: output.state, records: [...checkpoint] });
  const byRef = dead.filter(byReference).length + late.filter(byReference).length;
  return { batches, deadLetters: dead.length, late: late.length, codes, byReference: byRef, trimmed };
}
