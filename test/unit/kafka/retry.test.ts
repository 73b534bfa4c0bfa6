// The retry loop of the sink and the registry: attempts, what is not retried, and a stop
// that ends the waiting (the registry outage during shutdown).
import { describe, expect, it } from 'vitest';
import { backoff, retry } from '../../../src/kafka/retry.ts';

describe('retry', () => {
  it('doubles the wait up to its cap', () => {
    expect([1, 2, 3, 4, 5, 6, 40].map((a) => backoff(a, 100, 1000))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('retries until it succeeds, reporting each wait', async () => {
    const seen: [string, number, number][] = [];
    const out = await retry(async (attempt) => {
      if (attempt < 3) throw new Error(`down ${attempt}`);
      return `up at ${attempt}`;
    }, { attempts: 5, baseMs: 1, maxMs: 2, onRetry: (err, attempt, wait) => seen.push([(err as Error).message, attempt, wait]) });
    expect([out, seen]).toEqual(['up at 3', [['down 1', 1, 1], ['down 2', 2, 2]]]);
  });

  it('gives up after its attempts, and at once on what is not retryable', async () => {
    let calls = 0;
    await expect(retry(async () => {
      calls++;
      throw new Error('always');
    }, { attempts: 3, baseMs: 1, maxMs: 1 })).rejects.toThrow('always');
    expect(calls).toBe(3);
    calls = 0;
    await expect(retry(async () => {
      calls++;
      throw Object.assign(new Error('not found'), { status: 404 });
    }, { attempts: Infinity, baseMs: 1, maxMs: 1, retryable: (e) => (e as { status?: number }).status !== 404 })).rejects.toThrow('not found');
    expect(calls).toBe(1);
  });

  it('stops waiting when aborted, throwing the last error', async () => {
    const stop = new AbortController();
    let calls = 0;
    // The first wait is a minute: only the abort can end it before the test times out.
    const p = retry(async () => {
      calls++;
      throw new Error(`registry down (${calls})`);
    }, { attempts: Infinity, baseMs: 60_000, maxMs: 60_000, signal: stop.signal, onRetry: () => queueMicrotask(() => stop.abort()) });
    await expect(p).rejects.toThrow('registry down (1)');
    expect(calls).toBe(1);
  });
});
