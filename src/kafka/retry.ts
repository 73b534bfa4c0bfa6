// One retry loop for the Kafka side (transactional sink, schema registry): exponential
// backoff with a cap, a predicate for what is worth retrying, and an AbortSignal so a
// shutdown never waits behind a service that does not answer.
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryPolicy {
  /** Attempts in all (Infinity: until it succeeds, fails for good or is aborted). */
  readonly attempts: number;
  /** Wait before the second attempt; doubles each time up to maxMs. */
  readonly baseMs: number;
  readonly maxMs: number;
  /** False for errors that retrying cannot fix: they are thrown at once. */
  readonly retryable?: (err: unknown) => boolean;
  /** Called before each wait (logging). */
  readonly onRetry?: (err: unknown, attempt: number, waitMs: number) => void;
  /** Aborting stops the waiting: the last error is thrown. */
  readonly signal?: AbortSignal;
}

/** The wait before attempt `attempt + 1`. */
export function backoff(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 30));
}

export async function retry<T>(f: (attempt: number) => Promise<T>, p: RetryPolicy): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await f(attempt);
    } catch (err) {
      if (attempt >= p.attempts || p.signal?.aborted === true || (p.retryable !== undefined && !p.retryable(err))) throw err;
      const wait = backoff(attempt, p.baseMs, p.maxMs);
      p.onRetry?.(err, attempt, wait);
      try {
        await sleep(wait, undefined, p.signal === undefined ? undefined : { signal: p.signal });
      } catch {
        throw err;
      }
    }
  }
}
