// The records of one commit, from the outputs of the rounds it takes: alerts (keyed by the
// alert's key, rule in the headers), dead letters (the original record, with why and where
// from), late events (once each: behind the engine's watermark, every shard owning one of
// the event's keys reports it), and the checkpoint's records when there is one.
import type { Config } from '../config/config.ts';
import type { Alert } from '../core/alert.ts';
import type { OutputBatch, OutputRecord } from '../kafka/sink.ts';
import type { TopicPartition } from '../kafka/source.ts';
import type { RoundsOutput } from '../workers/rounds.ts';
import { DeadLetterHeaders, LATE_EVENT, deadLetter } from './dead-letter.ts';

export interface CommitRecords {
  readonly batches: OutputBatch[];
  readonly deadLetters: number;
  readonly late: number;
  /** Dead letters by error code. */
  readonly codes: ReadonlyMap<string, number>;
}

export async function commitRecords(
  out: RoundsOutput, tpOf: (stream: number) => TopicPartition | undefined, output: Config['output'],
  encodeAlert: (a: Alert) => Promise<Buffer>, checkpoint: readonly OutputRecord[] | undefined,
): Promise<CommitRecords> {
  const alerts: OutputRecord[] = [];
  for (const a of out.alerts) alerts.push({ key: a.key, value: await encodeAlert(a), headers: { 'cepheus.rule': a.ruleId, 'cepheus.rule.version': String(a.ruleVersion) } });
  const dead: OutputRecord[] = [];
  const codes = new Map<string, number>();
  for (const x of out.rejected) {
    const tp = tpOf(x.stream);
    if (tp === undefined) continue;
    dead.push(deadLetter(x.record, tp.topic, tp.partition, x.offset, x.code, x.message));
    codes.set(x.code, (codes.get(x.code) ?? 0) + 1);
  }
  const late: OutputRecord[] = [];
  const seen = new Set<string>();
  for (const x of out.late) {
    const tp = tpOf(x.stream);
    const where = `${x.stream}/${x.offset}`;
    if (tp === undefined || seen.has(where)) continue;
    seen.add(where);
    const message = `${LATE_EVENT}: event ${x.eventId} at ${new Date(x.ts).toISOString()} is ${x.watermark - x.ts} ms behind the watermark ${new Date(x.watermark).toISOString()}; not processed`;
    late.push(deadLetter(x.record ?? { key: null, value: new Uint8Array(0), timestamp: 0 }, tp.topic, tp.partition, x.offset, LATE_EVENT, message, { [DeadLetterHeaders.WATERMARK]: String(x.watermark) }));
  }
  const lateTopic = output.late ?? output.deadLetter;
  const batches: OutputBatch[] = [{ topic: output.alerts, records: alerts }];
  if (lateTopic === output.deadLetter) batches.push({ topic: output.deadLetter, records: [...dead, ...late] });
  else batches.push({ topic: output.deadLetter, records: dead }, { topic: lateTopic, records: late });
  if (checkpoint !== undefined) batches.push({ topic: output.state, records: [...checkpoint] });
  return { batches, deadLetters: dead.length, late: late.length, codes };
}
