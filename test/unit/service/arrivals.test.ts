// The arrival log: a record's arrival and Kafka timestamp found by stream and offset while
// its run is in the ring; runs beyond the ring's size, other streams and gaps are not found.
import { describe, expect, it } from 'vitest';
import { ArrivalLog } from '../../../src/service/arrivals.ts';

describe('arrival log', () => {
  it('finds recent records by stream and offset, and forgets the oldest runs', () => {
    const log = new ArrivalLog(2);
    log.add(0, 10, new Float64Array([1, 2, 5]), new Float64Array([100, 200, 500]));
    log.add(0, 20, new Float64Array([6, 7]), new Float64Array([600, 700]));
    log.add(1, 30, new Float64Array([1]), new Float64Array([111]));
    log.add(1, 40, new Float64Array([]), new Float64Array([]));
    const look = () => [[0, 2], [0, 3], [0, 5], [0, 7], [1, 1], [2, 1]].map(([s, o]) => log.find(s as number, o as number));
    expect(look()).toEqual([{ at: 10, timestamp: 200 }, undefined, { at: 10, timestamp: 500 }, { at: 20, timestamp: 700 }, { at: 30, timestamp: 111 }, undefined]);
    log.add(0, 50, new Float64Array([8]), new Float64Array([800]));
    expect([log.find(0, 2), log.find(0, 6), log.find(0, 8)]).toEqual([undefined, { at: 20, timestamp: 600 }, { at: 50, timestamp: 800 }]);
    log.clear();
    expect(look()).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });
});
