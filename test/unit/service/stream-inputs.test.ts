// RabbitMQ streams beside Kafka, around the unchanged pipeline: stream offsets ride in the
// Kafka transaction as one state-topic record, a restore reads them back, and the mixed
// source routes each partition's calls to its reader and gives the streams to whoever holds
// the Kafka assignment.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { tpKey } from '../../../src/kafka/admin.ts';
import type { OffsetCommit, OutputBatch } from '../../../src/kafka/sink.ts';
import type { InputSource, SourceHandlers, TopicPartition } from '../../../src/kafka/source.ts';
import type { StreamHandlers } from '../../../src/rabbitmq/stream-source.ts';
import { MixedSource, StreamOffsets, mixedAdmin, mixedSink } from '../../../src/service/stream-inputs.ts';
import type { StreamReader } from '../../../src/service/stream-inputs.ts';

const log = pino({ level: 'silent' });
const T = 'rabbitmq-stream:trades';
const L = 'rabbitmq-stream:logins';

describe('stream offsets in the Kafka transaction', () => {
  it('sends Kafka offsets as offsets and every stream offset as one state record, in the same commit', async () => {
    const calls: { batches: readonly OutputBatch[]; offsets: readonly OffsetCommit[] }[] = [];
    const offsets = new StreamOffsets();
    offsets.set(new Map([[L, 7n]]));
    const sink = mixedSink({ commit: async (batches, o) => void calls.push({ batches, offsets: o }) }, offsets, 'state');
    const alerts: OutputBatch = { topic: 'alerts', records: [{ key: 'k', value: Buffer.from('a') }] };
    await sink.commit([alerts], [{ topic: 'logins-kafka', partition: 1, offset: 5n }, { topic: T, partition: 0, offset: 12n }], 'g');
    await sink.commit([alerts], [{ topic: 'logins-kafka', partition: 1, offset: 6n }], 'g');
    expect(calls.map((c) => ({ offsets: c.offsets, batches: c.batches.map((b) => ({ topic: b.topic, records: b.records.map((r) => ({ key: r.key, value: r.value?.toString(), headers: r.headers })) })) }))).toEqual([
      {
        offsets: [{ topic: 'logins-kafka', partition: 1, offset: 5n }],
        batches: [
          { topic: 'alerts', records: [{ key: 'k', value: 'a', headers: undefined }] },
          { topic: 'state', records: [{ key: 'g/source-offsets', value: `{"format":1,"offsets":{"${L}":"7","${T}":"12"}}`, headers: { 'cepheus.checkpoint': 'source-offsets' } }] },
        ],
      },
      { offsets: [{ topic: 'logins-kafka', partition: 1, offset: 6n }], batches: [{ topic: 'alerts', records: [{ key: 'k', value: 'a', headers: undefined }] }] },
    ]);
    expect(offsets.get()).toEqual(new Map([[L, 7n], [T, 12n]]));
  });

  it('keeps the committed offsets when the transaction fails', async () => {
    const offsets = new StreamOffsets();
    const sink = mixedSink({ commit: () => Promise.reject(new Error('aborted')) }, offsets, 'state');
    await expect(sink.commit([], [{ topic: T, partition: 0, offset: 3n }], 'g')).rejects.toThrow('aborted');
    expect(offsets.get()).toEqual(new Map());
  });

  it('parses what it writes and refuses another format', () => {
    const r = new StreamOffsets().record('g', [{ topic: T, partition: 0, offset: 9n }]);
    expect(StreamOffsets.parse(r.value)).toEqual(new Map([[T, 9n]]));
    expect(StreamOffsets.parse(undefined)).toEqual(new Map());
    expect(() => StreamOffsets.parse(Buffer.from('{"format":2,"offsets":{}}'))).toThrow('stream offsets record of format 2: this version reads 1');
  });

  it('answers a restore: Kafka partitions from Kafka, streams from the state record and the readers (a stream whose tail RabbitMQ does not give is left out)', async () => {
    const asked: string[] = [];
    const admin = {
      committed: async (g: string, topics: readonly string[]) => (asked.push(`committed ${g} ${topics.join(',')}`), new Map([[tpKey('k', 0), 4n]])),
      bounds: async (tps: readonly TopicPartition[]) => (asked.push(`bounds ${tps.map((t) => t.topic).join(',')}`), new Map([[tpKey('k', 0), { low: 0n, high: 9n }]])),
      highWatermarks: async (tps: readonly TopicPartition[]) => (asked.push(`hws ${tps.map((t) => t.topic).join(',')}`), new Map([[tpKey('k', 0), 9n]])),
    };
    const offsets = new StreamOffsets();
    const a = mixedAdmin(admin, offsets, async () => new Map([[T, 11n], ['rabbitmq-stream:gone', 2n]]), async (t) => (t === T ? 15 : undefined));
    expect(await a.committed('g', ['k', T])).toEqual(new Map([[tpKey('k', 0), 4n], [tpKey(T, 0), 11n]]));
    expect(offsets.get()).toEqual(new Map([[T, 11n], ['rabbitmq-stream:gone', 2n]]));
    expect(await a.bounds([{ topic: 'k', partition: 0 }, { topic: T, partition: 0 }])).toEqual(new Map([[tpKey('k', 0), { low: 0n, high: 9n }]]));
    expect(await a.highWatermarks([{ topic: 'k', partition: 0 }, { topic: T, partition: 0 }])).toEqual(new Map([[tpKey('k', 0), 9n], [tpKey(T, 0), 15n]]));
    expect(await a.committed('g', [T])).toEqual(new Map([[tpKey(T, 0), 11n]]));
    expect(await a.highWatermarks([{ topic: 'k', partition: 0 }, { topic: L, partition: 0 }])).toEqual(new Map([[tpKey('k', 0), 9n]]));
    expect(asked).toEqual(['committed g k', 'bounds k', 'hws k', 'hws k']);
  });
});

class FakeReader implements StreamReader {
  readonly topics: string[];
  readonly calls: string[];
  h: StreamHandlers | undefined;
  constructor(topics: string[], calls: string[]) {
    this.topics = topics;
    this.calls = calls;
  }
  async connect(): Promise<void> {
    this.calls.push('reader connect');
  }
  async start(h: StreamHandlers): Promise<void> {
    this.h = h;
    this.calls.push('reader start');
  }
  seek(topic: string, offset: number): void {
    this.calls.push(`reader seek ${topic} ${offset}`);
  }
  pause(topic: string): void {
    this.calls.push(`reader pause ${topic}`);
  }
  resume(topic: string): void {
    this.calls.push(`reader resume ${topic}`);
  }
  unsubscribeAll(): void {
    this.calls.push('reader unsubscribe');
  }
  async stop(): Promise<void> {
    this.calls.push('reader stop');
  }
}

const handlers = (calls: string[]): SourceHandlers => ({
  assigned: async (tps) => void calls.push(`assigned ${tps.map((t) => `${t.topic}/${t.partition}`).join(',')}`),
  revoking: () => void calls.push('revoking'),
  batch: async () => undefined,
  progress: () => undefined,
  fetched: () => undefined,
  crashed: (err) => void calls.push(`crashed ${err.message}`),
});

describe('MixedSource', () => {
  it('with no Kafka topic, holds the streams from the start', async () => {
    const calls: string[] = [];
    const s = new MixedSource(undefined, [new FakeReader([T, L], calls)], log);
    await s.start(handlers(calls));
    await Promise.resolve();
    s.seek({ topic: T, partition: 0 }, 3);
    s.pause([{ topic: L, partition: 0 }]);
    s.resume([{ topic: L, partition: 0 }]);
    await s.stop();
    expect(calls).toEqual(['reader start', `assigned ${T}/0,${L}/0`, `reader seek ${T} 3`, `reader pause ${L}`, `reader resume ${L}`, 'reader stop']);
  });

  it('gives the streams to the instance holding the Kafka assignment and routes each call', async () => {
    const calls: string[] = [];
    let kh: SourceHandlers | undefined;
    const kafka: InputSource = {
      start: async (h) => void (kh = h),
      pause: (tps) => void calls.push(`kafka pause ${tps.map((t) => t.topic).join(',')}`),
      resume: (tps) => void calls.push(`kafka resume ${tps.map((t) => t.topic).join(',')}`),
      seek: (tp, o) => void calls.push(`kafka seek ${tp.topic} ${o}`),
      stop: async () => void calls.push('kafka stop'),
    };
    const s = new MixedSource(kafka, [new FakeReader([T], calls)], log);
    await s.start(handlers(calls));
    await kh?.assigned([{ topic: 'k', partition: 0 }]);
    s.seek({ topic: 'k', partition: 0 }, 1);
    s.seek({ topic: T, partition: 0 }, 2);
    s.pause([{ topic: 'k', partition: 0 }, { topic: T, partition: 0 }]);
    kh?.revoking();
    await kh?.assigned([]);
    await s.stop();
    expect(calls).toEqual([
      'reader start', 'reader unsubscribe', `assigned k/0,${T}/0`, 'kafka seek k 1', `reader seek ${T} 2`, 'kafka pause k', `reader pause ${T}`,
      'reader unsubscribe', 'revoking', 'reader unsubscribe', 'assigned ', 'kafka stop', 'reader stop',
    ]);
  });

  it('prepare: a reader that refuses closes every reader and stops the start', async () => {
    const calls: string[] = [];
    const bad = new FakeReader([L], calls);
    bad.connect = async () => {
      calls.push('reader connect refused');
      throw new Error('CEP_ERR_RABBITMQ_AUTHENTICATION: refused');
    };
    const s = new MixedSource(undefined, [new FakeReader([T], calls), bad], log);
    await expect(s.prepare()).rejects.toThrow('CEP_ERR_RABBITMQ_AUTHENTICATION: refused');
    expect(calls).toEqual(['reader connect', 'reader connect refused', 'reader stop', 'reader stop']);
  });
});
