// A kafkajs consumer that stopped on a broker it could not reach after joining its group (no
// coordinator, connection refused: kafkajs does not retry these) is started again with
// growing waits (0.5 s more per attempt, at most 5 s) until it starts, the owner stops, or it
// fails on something else (then `failed`, once). Used by the input consumer and the alert
// store's feeds alike.
import { transientCrash } from './kafka-errors.ts';

export async function startAgainAfterOutage(stopped: () => boolean, start: () => Promise<void>, failed: (err: Error) => void): Promise<void> {
  for (let attempt = 1; !stopped(); attempt++) {
    await new Promise((r) => setTimeout(r, Math.min(5000, 500 * attempt)));
    if (stopped()) return;
    try {
      await start();
      return;
    } catch (err) {
      if (!transientCrash(err)) {
        failed(err instanceof Error ? err : new Error(String(err)));
        return;
      }
    }
  }
}
