// Readiness for every status: live is ready while at most one round behind, standby is ready,
// everything else is not and says why.
import { describe, expect, it } from 'vitest';
import { readiness } from '../../../src/service/readiness.ts';
import type { Status } from '../../../src/service/service-state.ts';

describe('readiness', () => {
  it('answers for every status', () => {
    const all: Status[] = ['starting', 'standby', 'restoring', 'recovering', 'live', 'stopping', 'stopped'];
    expect(all.map((s) => [s, readiness(s, 0, 100)])).toEqual([
      ['starting', { ready: false, reasons: ['starting'] }],
      ['standby', { ready: true, reasons: ['standby: another instance of the group holds the partitions'] }],
      ['restoring', { ready: false, reasons: ['restoring'] }],
      ['recovering', { ready: false, reasons: ['recovering: replaying input since the last checkpoint'] }],
      ['live', { ready: true, reasons: [] }],
      ['stopping', { ready: false, reasons: ['stopping'] }],
      ['stopped', { ready: false, reasons: ['stopped'] }],
    ]);
  });

  it('is live and ready up to one round behind, catching up beyond', () => {
    expect([readiness('live', 100, 100), readiness('live', 101, 100)]).toEqual([
      { ready: true, reasons: [] },
      { ready: false, reasons: ["catching up: 101 records behind the partitions' ends"] },
    ]);
  });
});
