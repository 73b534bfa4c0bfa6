// Where a stream starts after a restart, and what it re-reads with outputs suppressed.
import { describe, expect, it } from 'vitest';
import { tpKey } from '../../../src/kafka/admin.ts';
import { planRestore, planStart } from '../../../src/service/start-plan.ts';

const saved = (offset: string | null) => ({ topic: 't', partition: 0, offset, maxTs: 1, active: true });
const bounds = { low: 10, high: 500 };

describe('start plan', () => {
  it('starts at the checkpoint and re-reads up to the committed offset; falls back as documented', () => {
    expect([
      planStart(saved('100'), 250, bounds, 'earliest'),
      planStart(saved('100'), 100, bounds, 'earliest'),
      planStart(saved('100'), undefined, bounds, 'earliest'),
      planStart(undefined, 250, bounds, 'earliest'),
      planStart(undefined, undefined, bounds, 'earliest'),
      planStart(undefined, undefined, bounds, 'latest'),
      planStart(saved(null), undefined, bounds, 'earliest'),
      planStart(saved('5'), 250, bounds, 'earliest'),
    ]).toEqual([
      { start: 100, recoverTo: 250, committed: 250, fresh: false, lost: null },
      { start: 100, recoverTo: null, committed: 100, fresh: false, lost: null },
      { start: 100, recoverTo: null, committed: null, fresh: false, lost: null },
      { start: 250, recoverTo: null, committed: 250, fresh: false, lost: null },
      { start: 10, recoverTo: null, committed: null, fresh: true, lost: null },
      { start: 500, recoverTo: null, committed: null, fresh: true, lost: null },
      { start: 10, recoverTo: null, committed: null, fresh: true, lost: null },
      { start: 10, recoverTo: 250, committed: 250, fresh: false, lost: 5 },
    ]);
  });

  it('plans a restore: streams in config topic order, specs from the checkpoint, who recovers, what changed', () => {
    const topics = [{ topic: 'logins', kinds: ['login' as const], format: 'confluent' as const, schemaId: 0 }, { topic: 'trades', kinds: ['trade' as const], format: 'avro' as const, schemaId: -1 }];
    const checkpoint = {
      format: 1 as const, group: 'g', id: 4, createdAt: '2026-12-02T00:00:00.000Z', parts: [1], watermark: 900, rules: [{ id: 'a', version: 1 }, { id: 'b', version: 1 }],
      streams: [{ topic: 'logins', partition: 1, offset: '100', maxTs: 1000, active: false }, { topic: 'trades', partition: 0, offset: '7', maxTs: null, active: true, held: true }],
    };
    const committed = new Map([[tpKey('logins', 1), 250n], [tpKey('trades', 0), 7n]]);
    const bounds = new Map([[tpKey('logins', 1), { low: 0n, high: 300n }], [tpKey('logins', 0), { low: 0n, high: 5n }], [tpKey('trades', 0), { low: 0n, high: 9n }]]);
    const assignment = [{ topic: 'trades', partition: 0 }, { topic: 'logins', partition: 1 }, { topic: 'logins', partition: 0 }];
    const rules = [{ id: 'a', version: 1 }, { id: 'b', version: 2 }, { id: 'c', version: 1 }];
    expect(planRestore({ assignment, topics, checkpoint, committed, bounds, startFrom: 'earliest', rules })).toEqual({
      streams: [
        { spec: { topic: 'logins', partition: 0, format: 'confluent', schemaId: 0, maxTs: -Infinity, active: true }, start: { start: 0, recoverTo: null, committed: null, fresh: true, lost: null }, highWatermark: 5, held: false },
        { spec: { topic: 'logins', partition: 1, format: 'confluent', schemaId: 0, maxTs: 1000, active: false }, start: { start: 100, recoverTo: 250, committed: 250, fresh: false, lost: null }, highWatermark: 300, held: false },
        // held at a watermark reset when the checkpoint was drawn: still held until its next record
        { spec: { topic: 'trades', partition: 0, format: 'avro', schemaId: -1, maxTs: -Infinity, active: true }, start: { start: 7, recoverTo: null, committed: 7, fresh: false, lost: null }, highWatermark: 9, held: true },
      ],
      watermark: 900, recovering: 1, fresh: 1, changedRules: ['b@2', 'c@1'], stateLost: false,
    });
    expect(planRestore({ assignment: [{ topic: 'x', partition: 0 }], topics, checkpoint: undefined, committed, bounds: new Map(), startFrom: 'latest', rules })).toEqual({
      streams: [{ spec: { topic: 'x', partition: 0, format: 'confluent', schemaId: 0, maxTs: -Infinity, active: true }, start: { start: 0, recoverTo: null, committed: null, fresh: true, lost: null }, highWatermark: -1, held: false }],
      watermark: -Infinity, recovering: 0, fresh: 1, changedRules: [], stateLost: true,
    });
  });
});
