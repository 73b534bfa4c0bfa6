// Active / standby: every partition to the member that has run longest, nothing to others;
// a member that joins later never takes the partitions from a live active one.
import { AssignerProtocol } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { assignAll, memberMetadata } from '../../../src/kafka/assigner.ts';

const decode = (b: Buffer): Record<string, number[]> => AssignerProtocol.MemberAssignment.decode(b)?.assignment ?? {};

describe('single-active assignment', () => {
  const partitions = new Map([['logins', [2, 0, 1]], ['trades', [0]]]);
  it('gives everything to the longest-running member, whatever the member ids', () => {
    const members = [
      { memberId: 'a-new', memberMetadata: memberMetadata(['logins', 'trades'], 2_000, 'b') },
      { memberId: 'z-old', memberMetadata: memberMetadata(['logins', 'trades'], 1_000, 'a') },
      { memberId: 'm-broken', memberMetadata: Buffer.from('not metadata') },
    ];
    expect(assignAll(members, partitions).map((m) => [m.memberId, decode(m.memberAssignment)])).toEqual([
      ['z-old', { logins: [0, 1, 2], trades: [0] }],
      ['a-new', {}],
      ['m-broken', {}],
    ]);
  });

  it('breaks a tie on start time by member id', () => {
    const members = [
      { memberId: 'b', memberMetadata: memberMetadata(['logins'], 5, 'x') },
      { memberId: 'a', memberMetadata: memberMetadata(['logins'], 5, 'y') },
    ];
    expect(assignAll(members, new Map([['logins', [0]]])).map((m) => [m.memberId, decode(m.memberAssignment)])).toEqual([['a', { logins: [0] }], ['b', {}]]);
  });
});
