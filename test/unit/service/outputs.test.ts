// One commit's records: alerts keyed by their key, dead letters with the original bytes and
// why, late events once each however many shards reported them, the checkpoint last.
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/config.ts';
import type { Alert } from '../../../src/core/alert.ts';
import { commitRecords } from '../../../src/service/outputs.ts';

const output = validateConfig({ kafka: { brokers: ['h:1'] }, topics: { login: 'l' }, output: { alerts: 'al', deadLetter: 'dl', state: 'st' } }).output;
const rec = (v: string) => ({ key: new Uint8Array(Buffer.from('K')), value: new Uint8Array(Buffer.from(v)), timestamp: 7 });

describe('commit records', () => {
  it('builds every topic\'s records, the late one once', async () => {
    const alert = { id: 'al_1', key: 'AC1', ruleId: 'r', ruleVersion: 2 } as unknown as Alert;
    const late = { stream: 0, offset: 5, eventId: 'e5', ts: 1000, watermark: 6000, record: rec('late') };
    const out = {
      alerts: [alert], rejected: [{ stream: 0, offset: 3, code: 'CEP_ERR_INPUT_FRAME', message: 'bad', record: rec('junk') }],
      late: [late, late], ruleErrors: [], overflowDropped: 0, values: 9,
    };
    const r = await commitRecords(out, (i) => (i === 0 ? { topic: 'in', partition: 2 } : undefined), output, async (a) => Buffer.from(`enc:${a.id}`), [{ key: 'cp', value: Buffer.from('x') }]);
    const show = (b: Buffer | string | null): string | null => (b === null ? null : b.toString());
    expect({ ...r, batches: r.batches.map((b) => ({ topic: b.topic, records: b.records.map((x) => ({ key: show(x.key), value: show(x.value), headers: x.headers })) })) }).toEqual({
      deadLetters: 1, late: 1, codes: new Map([['CEP_ERR_INPUT_FRAME', 1]]),
      batches: [
        { topic: 'al', records: [{ key: 'AC1', value: 'enc:al_1', headers: { 'cepheus.rule': 'r', 'cepheus.rule.version': '2' } }] },
        { topic: 'dl', records: [
          { key: 'K', value: 'junk', headers: { 'cepheus.error.code': 'CEP_ERR_INPUT_FRAME', 'cepheus.error.message': 'bad', 'cepheus.source.topic': 'in', 'cepheus.source.partition': '2', 'cepheus.source.offset': '3', 'cepheus.source.timestamp': '7' } },
          { key: 'K', value: 'late', headers: {
            'cepheus.error.code': 'CEP_ERR_LATE_EVENT', 'cepheus.error.message': 'CEP_ERR_LATE_EVENT: event e5 at 1970-01-01T00:00:01.000Z is 5000 ms behind the watermark 1970-01-01T00:00:06.000Z; not processed',
            'cepheus.source.topic': 'in', 'cepheus.source.partition': '2', 'cepheus.source.offset': '5', 'cepheus.source.timestamp': '7', 'cepheus.late.watermark': '6000',
          } },
        ] },
        { topic: 'st', records: [{ key: 'cp', value: 'x', headers: undefined }] },
      ],
    });
  });
});
