// An alert always fits the alerts topic: one that does goes as it is; one over the limit keeps
// the first and last matched events of each step, as many as fit, says so in its message and
// headers, and keeps its id, key, times and aggregates; with even two per step too big, the
// context gives way too.
import { describe, expect, it } from 'vitest';
import type { Alert, AlertId } from '../../../src/core/alert.ts';
import type { EventTimeMs } from '../../../src/events/types.ts';
import { fitsAlone } from '../../../src/kafka/sink.ts';
import { boundedAlert, matchedCount, trimAlert } from '../../../src/service/alert-bound.ts';
import { login, transfer } from '../../../src/testing.ts';

const T = Date.parse('2026-01-05T00:00:00Z');
const alertOf = (fails: number, context: Alert['context'] = { seen: 1 }): Alert => ({
  id: 'al_0123' as AlertId, ruleId: 'brute-force', ruleVersion: 2, ruleKind: 'sequence', severity: 'high', keySpace: 'account', key: 'AC1',
  firstEventTime: T as EventTimeMs, lastEventTime: (T + fails) as EventTimeMs, detectedAtEventTime: (T + fails) as EventTimeMs, message: 'many failed logins then a transfer',
  matched: [
    { step: 'fails', events: Array.from({ length: fails }, (_, i) => ({ event: login(`l${i}`, T + i, { account: 'AC1' }), source: { topic: 'logins', partition: 0, offset: String(i) } })) },
    { step: 'cashout', events: [{ event: transfer('x1', T + fails, { account: 'AC1' }), source: null }] },
  ],
  aggregates: { count: fails }, context,
});
const encode = async (a: Alert): Promise<Buffer> => Buffer.from(JSON.stringify(a));
const headers = { 'cepheus.rule': 'brute-force', 'cepheus.rule.version': '2' };

describe('alert bound', () => {
  it('trims a step to its first and last events, and says so', () => {
    const t = trimAlert(alertOf(10), 4, 1000);
    expect([t.matched.map((s) => s.events.map((e) => e.event.id)), t.message, matchedCount(t)]).toEqual([
      [['l0', 'l1', 'l8', 'l9'], ['x1']],
      "many failed logins then a transfer [5 of 11 matched events kept, the first and last of each step: the whole alert is over the alerts topic's limit of 1000 bytes]",
      5,
    ]);
  });

  it('writes an alert that fits as it is, and one that does not with as many events as fit, flagged', async () => {
    const small = await boundedAlert(alertOf(3), headers, 1_048_588, encode);
    const big = alertOf(6000);
    const limit = 1_048_588;
    const bounded = await boundedAlert(big, headers, limit, encode);
    const back = JSON.parse((bounded.record.value as Buffer).toString()) as Alert;
    const steps = back.matched.map((s) => s.events.map((e) => e.event.id));
    expect([small.record, small.trimmed]).toEqual([{ key: 'AC1', value: await encode(alertOf(3)), headers }, undefined]);
    expect({
      headers: bounded.record.headers, trimmed: bounded.trimmed, fits: fitsAlone(bounded.record, limit), unchanged: [back.id, back.key, back.firstEventTime, back.lastEventTime, back.aggregates],
      firstAndLast: [steps[0]?.[0], steps[0]?.at(-1), steps[1]], message: back.message,
    }).toEqual({
      headers: { ...headers, 'cepheus.alert.trimmed': 'true', 'cepheus.alert.matched': '6001' },
      trimmed: { kept: 4090, total: 6001 }, fits: true, unchanged: [big.id, big.key, big.firstEventTime, big.lastEventTime, big.aggregates],
      firstAndLast: ['l0', 'l5999', ['x1']],
      message: "many failed logins then a transfer [4090 of 6001 matched events kept, the first and last of each step: the whole alert is over the alerts topic's limit of 1048588 bytes]",
    });
  });

  it('drops the context when even two events per step do not fit', async () => {
    const bounded = await boundedAlert(alertOf(10, { blob: 'x'.repeat(100_000) }), headers, 65_536, encode);
    const back = JSON.parse((bounded.record.value as Buffer).toString()) as Alert;
    expect([bounded.trimmed, back.context, fitsAlone(bounded.record, 65_536), back.matched.map((s) => s.events.length)]).toEqual([
      { kept: 3, total: 11 }, { trimmed: "the context was over the alerts topic's limit" }, true, [2, 1],
    ]);
  });
});
