// The per-token bucket on a simulated clock: a burst, then the refill rate, each token on its own.
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/mcp/rate-limit.ts';

describe('RateLimiter', () => {
  it('lets a burst through, then one request per refill interval, per token', () => {
    let now = 0;
    const limiter = new RateLimiter(60, 3, () => now); // one a second, three at once
    const timeline: [number, string, ReturnType<RateLimiter['take']>][] = [];
    const at = (t: number, key: string): void => {
      now = t;
      timeline.push([t, key, limiter.take(key)]);
    };
    at(0, 'a');
    at(0, 'a');
    at(0, 'a');
    at(0, 'a');
    at(0, 'b');
    at(400, 'a');
    at(1000, 'a');
    at(1000, 'a');
    at(10_000, 'a');
    at(10_000, 'a');
    at(10_000, 'a');
    at(10_000, 'a');
    expect(timeline).toEqual([
      [0, 'a', { ok: true }],
      [0, 'a', { ok: true }],
      [0, 'a', { ok: true }],
      [0, 'a', { ok: false, retryAfterMs: 1000 }],
      [0, 'b', { ok: true }],
      [400, 'a', { ok: false, retryAfterMs: 600 }],
      [1000, 'a', { ok: true }],
      [1000, 'a', { ok: false, retryAfterMs: 1000 }],
      [10_000, 'a', { ok: true }],
      [10_000, 'a', { ok: true }],
      [10_000, 'a', { ok: true }],
      [10_000, 'a', { ok: false, retryAfterMs: 1000 }],
    ]);
  });
});
