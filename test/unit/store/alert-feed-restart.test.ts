// The alert store's feed consumer after a broker outage: kafkajs gives up finding the group
// coordinator ("Failed to find group coordinator", not retried by it) while the broker is down.
// Once the group was joined that is an outage: a new consumer is started (the service keeps
// running); before any join it stays fatal (a missing group ACL looks the same). A fake kafkajs
// consumer stands in for the broker: no I/O.
import { EventEmitter } from 'node:events';
import type { Kafka } from 'kafkajs';
import { describe, expect, it, vi } from 'vitest';
import { startAlertFeed } from '../../../src/store/alert-feed.ts';

const EVENTS = { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' } as const;

class FakeConsumer extends EventEmitter {
  readonly events = EVENTS;
  readonly calls: string[];
  constructor(calls: string[]) {
    super();
    this.calls = calls;
  }
  async connect(): Promise<void> {
    this.calls.push('connect');
  }
  async subscribe(): Promise<void> {
    this.calls.push('subscribe');
  }
  async run(): Promise<void> {
    this.calls.push('run');
  }
  async disconnect(): Promise<void> {
    this.calls.push('disconnect');
  }
}

function fakeKafka(): { kafka: Kafka; consumers: FakeConsumer[]; calls: string[] } {
  const calls: string[] = [];
  const consumers: FakeConsumer[] = [];
  const kafka = { consumer: () => {
    const c = new FakeConsumer(calls);
    consumers.push(c);
    return c;
  } } as unknown as Kafka;
  return { kafka, consumers, calls };
}

const coordinatorLost = (): Error => Object.assign(new Error('Failed to find group coordinator'), { name: 'KafkaJSGroupCoordinatorNotFound' });
const feed = (kafka: Kafka, seen: string[]) => startAlertFeed({
  kafka, wire: { decode: async () => { throw new Error('no records here'); } }, topic: 'alerts', groupId: 'g.store.i', store: { insert: () => true },
  onCrash: (err) => seen.push(`crash: ${err.message}`), onRestart: (err) => seen.push(`restart: ${err.message}`),
});

describe('alert feed after a broker outage', () => {
  it('starts a new consumer when the coordinator is lost after the join, and stops it on stop()', async () => {
    vi.useFakeTimers();
    try {
      const { kafka, consumers, calls } = fakeKafka();
      const seen: string[] = [];
      const f = await feed(kafka, seen);
      consumers[0]?.emit(EVENTS.GROUP_JOIN, { payload: {} });
      consumers[0]?.emit(EVENTS.CRASH, { payload: { error: coordinatorLost(), restart: false } });
      await vi.advanceTimersByTimeAsync(500);
      await f.stop();
      expect([seen, consumers.length, calls]).toEqual([
        ['restart: Failed to find group coordinator'], 2,
        ['connect', 'subscribe', 'run', 'disconnect', 'connect', 'subscribe', 'run', 'disconnect'],
      ]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stays fatal before the first join (a refused group looks the same) and for other errors', async () => {
    const a = fakeKafka();
    const seenA: string[] = [];
    await feed(a.kafka, seenA);
    a.consumers[0]?.emit(EVENTS.CRASH, { payload: { error: coordinatorLost(), restart: false } });
    const b = fakeKafka();
    const seenB: string[] = [];
    await feed(b.kafka, seenB);
    b.consumers[0]?.emit(EVENTS.GROUP_JOIN, { payload: {} });
    b.consumers[0]?.emit(EVENTS.CRASH, { payload: { error: new Error('Not authorized to access group'), restart: false } });
    b.consumers[0]?.emit(EVENTS.CRASH, { payload: { error: coordinatorLost(), restart: true } }); // kafkajs restarts it itself
    expect([seenA, a.consumers.length, seenB, b.consumers.length]).toEqual([
      ['crash: Failed to find group coordinator'], 1, ['crash: Not authorized to access group'], 1,
    ]);
  });
});
