// Where a stream starts after a restart, and what it re-reads with outputs suppressed.
import { describe, expect, it } from 'vitest';
import { readToEnd } from '../../../src/service/idle.ts';
import { planStart } from '../../../src/service/start-plan.ts';

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

  it('counts a stream read to its end, and one record short only after a whole idle period', () => {
    const s = { next: 99, oneShort: undefined as { since: number; next: number } | undefined };
    expect([readToEnd(s, 99, 0, 1000), readToEnd(s, 150, 0, 1000)]).toEqual([true, false]);
    expect([readToEnd(s, 100, 0, 1000), readToEnd(s, 100, 500, 1000), readToEnd(s, 100, 1000, 1000)]).toEqual([false, false, true]);
    expect(readToEnd({ ...s, next: 100 }, 101, 2000, 1000)).toBe(false); // one short again, at a new position: the clock restarts
  });
});
