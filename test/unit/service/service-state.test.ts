// The state union: which states hold a run, which run a transition retires, which states
// take input; and (type-checked by tsc) that fields exist only where they are valid.
import { describe, expect, it } from 'vitest';
import { RecoveryHold } from '../../../src/service/intake.ts';
import type { Run } from '../../../src/service/run.ts';
import { consuming, leftBehind, runOf } from '../../../src/service/service-state.ts';
import type { ServiceState } from '../../../src/service/service-state.ts';

const runA = { name: 'a' } as unknown as Run;
const runB = { name: 'b' } as unknown as Run;
const tps = [{ topic: 't', partition: 0 }];
const hold = RecoveryHold.of([5]) as RecoveryHold;
const states: ServiceState[] = [
  { status: 'starting' },
  { status: 'standby' },
  { status: 'restoring', assignment: tps, restored: Promise.resolve() },
  { status: 'recovering', assignment: tps, run: runA, hold },
  { status: 'live', assignment: tps, run: runA },
  { status: 'stopping', run: runA, final: true },
  { status: 'stopping', run: undefined, final: false },
  { status: 'stopped' },
];

describe('service state', () => {
  it('holds a run only while recovering, live or stopping; takes input only while recovering or live', () => {
    expect(states.map((s) => [s.status, runOf(s) === runA, consuming(s) === s])).toEqual([
      ['starting', false, false], ['standby', false, false], ['restoring', false, false], ['recovering', true, true],
      ['live', true, true], ['stopping', true, false], ['stopping', false, false], ['stopped', false, false],
    ]);
  });

  it('retires the run a transition leaves behind, and only that one', () => {
    const live: ServiceState = { status: 'live', assignment: tps, run: runA };
    const restoring: ServiceState = { status: 'restoring', assignment: tps, restored: Promise.resolve() };
    expect([
      leftBehind({ status: 'recovering', assignment: tps, run: runA, hold }, live),
      leftBehind(live, { status: 'stopping', run: runA, final: true }),
      leftBehind(live, restoring),
      leftBehind(live, { status: 'live', assignment: tps, run: runB }),
      leftBehind(restoring, live),
      leftBehind({ status: 'stopping', run: runA, final: true }, { status: 'stopped' }),
    ]).toEqual([undefined, undefined, runA, runA, undefined, runA]);
  });

  it('does not let a state carry what is not valid in it', () => {
    // @ts-expect-error a live state holds a run
    const noRun: ServiceState = { status: 'live', assignment: tps };
    // @ts-expect-error only a recovering state has a recovery hold
    const liveWithHold: ServiceState = { status: 'live', assignment: tps, run: runA, hold };
    // @ts-expect-error a standby instance has no run
    const standbyRun: ServiceState = { status: 'standby', run: runA };
    const s = states[4] as ServiceState;
    // @ts-expect-error the hold is only there once the status says recovering
    const h: unknown = s.hold;
    expect([noRun.status, liveWithHold.status, standbyRun.status, h]).toEqual(['live', 'live', 'standby', undefined]);
  });
});
