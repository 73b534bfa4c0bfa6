// Records survive packing: what goes into packRecords or a ForwardBuilder comes back out of a
// RecordCursor as it went in (values and keys with null and empty ones told apart, offsets,
// Kafka timestamps, streams), also after a structured clone that transfers every buffer
// transferablesOf lists, which leaves none of them behind.
import { describe, expect, it } from 'vitest';
import type { Forward, IngestPart, PackedRecords, RoundTask, ShardTask } from '../../../src/workers/protocol.ts';
import { ForwardBuilder, RecordCursor, packBatch, packRecords, transferablesOf } from '../../../src/workers/record-pack.ts';

interface Rec {
  value: string;
  key: string | null;
  offset: number;
  timestamp: number;
}

const b = (s: string): Buffer => Buffer.from(s);

/** Every record of a packed batch, read back with a cursor. */
function unpack(p: PackedRecords): Rec[] {
  const out: Rec[] = [];
  const cur = new RecordCursor(p);
  for (let i = 0; i < cur.length; i++) {
    const value = cur.next().toString();
    const key = cur.key();
    out.push({ value, key: key === null ? null : Buffer.from(key).toString(), offset: cur.offset(), timestamp: cur.timestamp() });
  }
  return out;
}

const RECORDS: Rec[] = [
  { value: 'first', key: 'k1', offset: 0, timestamp: 1_700_000_000_000 },
  { value: '', key: null, offset: 1, timestamp: 1_700_000_000_001 },
  { value: 'third', key: '', offset: 2 ** 40, timestamp: 0 },
  { value: 'fourth value, longer', key: 'key-four', offset: 2 ** 53 - 1, timestamp: -1 },
  { value: 'x', key: null, offset: 7, timestamp: 1_700_000_000_002 },
];

const packed = (rs: readonly Rec[]): PackedRecords => packRecords(rs.map((r) => b(r.value)), rs.map((r) => r.offset), rs.map((r) => (r.key === null ? null : b(r.key))), rs.map((r) => r.timestamp));

describe('record packing', () => {
  it('packs values into one buffer with end offsets', () => {
    const { bytes, ends } = packBatch([b('ab'), b(''), b('cde')]);
    expect([Buffer.from(bytes).toString(), [...ends]]).toEqual(['abcde', [2, 2, 5]]);
  });

  it('round-trips values, offsets, keys (null and empty apart) and timestamps', () => {
    const p = packed(RECORDS);
    expect([Buffer.from(p.keys).toString(), [...p.keyEnds]]).toEqual(['k1key-four', [2, -1, 2, 10, -1]]);
    expect(unpack(p)).toEqual(RECORDS);
  });

  it('without keys and timestamps: every key null, every timestamp 0', () => {
    expect(unpack(packRecords([b('a'), b('bc')], [5, 6]))).toEqual([
      { value: 'a', key: null, offset: 5, timestamp: 0 },
      { value: 'bc', key: null, offset: 6, timestamp: 0 },
    ]);
  });

  it('an empty batch', () => {
    expect(unpack(packRecords([], []))).toEqual([]);
  });

  it('copies a record out of its batch for a dead letter', () => {
    const p = packed(RECORDS);
    const cur = new RecordCursor(p);
    cur.next();
    const value = cur.next();
    const second = cur.raw(value);
    const first = new RecordCursor(p);
    const raw = first.raw(first.next());
    new Uint8Array(p.bytes).fill(0);
    new Uint8Array(p.keys).fill(0);
    expect([raw, second]).toEqual([
      { key: new Uint8Array(b('k1')), value: new Uint8Array(b('first')), timestamp: 1_700_000_000_000 },
      { key: null, value: new Uint8Array(0), timestamp: 1_700_000_000_001 },
    ]);
  });

  it('tells a null value (a tombstone) from an empty one, and copies each out as it was', () => {
    const p = packRecords([null, b(''), b('ab'), null, b('c')], [0, 1, 2, 3, 4]);
    const cur = new RecordCursor(p);
    const read: [string, boolean, Uint8Array | null][] = [];
    for (let i = 0; i < cur.length; i++) {
      const v = cur.next();
      read.push([v.toString(), cur.isNull(), cur.raw(v).value]);
    }
    expect([[...p.ends], read]).toEqual([[-1, 0, 2, -1, 3], [
      ['', true, null], ['', false, new Uint8Array(0)], ['ab', false, new Uint8Array(b('ab'))], ['', true, null], ['c', false, new Uint8Array(b('c'))],
    ]]);
  });

  it('a forward carries each record with its stream, growing past its first capacity', () => {
    const f = new ForwardBuilder(3, 4);
    RECORDS.forEach((r, i) => f.add(b(r.value), r.key === null ? null : b(r.key), i % 2, r.offset, r.timestamp));
    const built = f.build();
    expect([built.to, [...built.streams], unpack(built)]).toEqual([3, [0, 1, 0, 1, 0], RECORDS]);
  });
});

describe('transferablesOf', () => {
  const part = (stream: number, rs: readonly Rec[]): IngestPart => ({ stream, ...packed(rs) });
  const forward = (to: number): Forward => {
    const f = new ForwardBuilder(to, 0);
    for (const r of RECORDS) f.add(b(r.value), r.key === null ? null : b(r.key), to, r.offset, r.timestamp);
    return f.build();
  };
  const buffersOf = (p: PackedRecords & { streams?: Uint32Array }): ArrayBuffer[] => [
    p.bytes, p.ends.buffer as ArrayBuffer, p.offsets.buffer as ArrayBuffer, p.keys, p.keyEnds.buffer as ArrayBuffer, p.timestamps.buffer as ArrayBuffer,
    ...(p.streams === undefined ? [] : [p.streams.buffer as ArrayBuffer]),
  ];

  it('lists every buffer of a task once; a transferring clone reads the same and leaves them empty', () => {
    const round: RoundTask = { op: 'round', schemas: [], parts: [part(0, RECORDS), part(2, RECORDS.slice(1))], activity: [[1, false]], flush: false, changes: [] };
    const transfer = transferablesOf(round);
    expect(transfer).toEqual(round.parts.flatMap(buffersOf));
    const moved = structuredClone(round, { transfer });
    expect(moved.parts.map(unpack)).toEqual([RECORDS, RECORDS.slice(1)]);
    expect(transfer.map((x) => x.byteLength)).toEqual(transfer.map(() => 0));
  });

  it('covers forwards of ingest and round results and deliver tasks, snapshots, and nothing else', () => {
    const ingest = { op: 'ingest', forwards: [forward(1)], maxTs: [], rejected: [], late: [], values: 5, micros: 1 } as const;
    const deliver = { op: 'deliver', alerts: [], late: [], ruleErrors: [], overflowDropped: 0, micros: 1, evaluations: new Float64Array(0) } as const;
    const snapshot = { op: 'snapshot', bytes: new Uint8Array(8), keys: 0 } as const;
    const deliverTask: ShardTask = { op: 'deliver', schemas: [], forwards: [forward(2)], watermark: 0, flushTo: null, changes: [] };
    expect(transferablesOf(ingest)).toEqual(buffersOf(ingest.forwards[0]));
    expect(transferablesOf({ op: 'round', ingest, deliver, watermark: 0 })).toEqual(buffersOf(ingest.forwards[0]));
    expect(transferablesOf(deliverTask)).toEqual(buffersOf(deliverTask.forwards[0] as Forward));
    expect(transferablesOf(deliver)).toEqual([]);
    expect(transferablesOf(snapshot)).toEqual([snapshot.bytes.buffer]);
    expect(transferablesOf({ op: 'info' })).toEqual([]);
  });
});
