// The bounds of a file job: items of a file until `maxEvents` were read or the wall-time
// deadline passed (checked every 1024 items, so the clock costs nothing per event), with what
// stopped it recorded for the answer.
import type { StoppedBy } from './worker-protocol.ts';

export interface Stop {
  by: StoppedBy;
}

export async function* bounded<T>(items: AsyncIterable<T>, maxEvents: number, deadline: number, stop: Stop): AsyncGenerator<T> {
  let n = 0;
  for await (const item of items) {
    if (n >= maxEvents) {
      stop.by = 'maxEvents';
      return;
    }
    if ((n & 1023) === 0 && performance.now() > deadline) {
      stop.by = 'maxWallMs';
      return;
    }
    n++;
    yield item;
  }
}
