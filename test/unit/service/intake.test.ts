// Intake and the recovery hold: duplicates (below next) dropped, records split at the hold
// offset, schema ids read from Confluent frames, and a hold that reaches each stream's
// committed offset, says when it is the last one, and releases what it held in order.
import { describe, expect, it } from 'vitest';
import type { InputMessage } from '../../../src/kafka/source.ts';
import { RecoveryHold, intake, schemaIdsOf } from '../../../src/service/intake.ts';

const msg = (offset: number, value: Buffer | null = null): InputMessage => ({ offset, key: null, value, timestamp: 0 });
const offsets = (ms: readonly InputMessage[]): number[] => ms.map((m) => m.offset);
const framed = (id: number): Buffer => Buffer.from([0, 0, 0, 0, id, 1, 2]);

describe('intake', () => {
  it('drops records below next (refetched), and holds those at or past the hold offset', () => {
    const batch = [3, 4, 5, 6, 7, 8].map((o) => msg(o));
    const show = (r: ReturnType<typeof intake>) => ({ pending: offsets(r.pending), held: offsets(r.held), next: r.next });
    expect([
      show(intake(5, batch, Infinity)),
      show(intake(5, batch, 7)),
      show(intake(5, batch, -Infinity)),
      show(intake(9, batch, Infinity)),
      show(intake(0, [msg(2), msg(9)], Infinity)),
    ]).toEqual([
      { pending: [5, 6, 7, 8], held: [], next: 9 },
      { pending: [5, 6], held: [7, 8], next: 9 },
      { pending: [], held: [5, 6, 7, 8], next: 9 },
      { pending: [], held: [], next: 9 },
      { pending: [2, 9], held: [], next: 10 },
    ]);
  });

  it('reads the schema ids of Confluent frames, each change once, skipping what is not framed', () => {
    const ms = [framed(1), framed(1), Buffer.from([1, 2]), null, framed(2), framed(1), Buffer.from([9, 0, 0, 0, 3])].map((v, i) => msg(i, v));
    expect(schemaIdsOf(ms)).toEqual(new Set([1, 2]));
  });

  it('holds a recovering run until every stream reached its committed offset, then releases in order', () => {
    expect(RecoveryHold.of([null, null])).toBeUndefined();
    const hold = RecoveryHold.of([10, null, 20]) as RecoveryHold;
    const state = () => ({ from: [0, 1, 2].map((i) => hold.holdFrom(i)), recovering: [0, 1, 2].map((i) => hold.recovering(i)), done: hold.done });
    expect(state()).toEqual({ from: [10, -Infinity, 20], recovering: [true, false, true], done: false });
    hold.hold(1, [msg(4), msg(5)]);
    expect([hold.advance(0, 9), hold.advance(1, 6), hold.advance(0, 12)]).toEqual([null, null, 'reached']);
    hold.hold(0, [msg(10), msg(11)]);
    expect(state()).toEqual({ from: [-Infinity, -Infinity, 20], recovering: [false, false, true], done: false });
    expect(hold.advance(2, 20)).toBe('last');
    expect(state()).toEqual({ from: [-Infinity, -Infinity, -Infinity], recovering: [false, false, false], done: true });
    expect(hold.release().map(offsets)).toEqual([[10, 11], [4, 5], []]);
    expect(hold.release().map(offsets)).toEqual([[], [], []]);
  });
});
