// Per-token rate limit for MCP requests: a token bucket per token id, `burst` deep, refilled
// at `perMinute`. Keys are ids of configured tokens only (requests are authenticated first),
// so the map is bounded by the configuration. Time is injected: tests drive it.

export type Take = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly burst: number;
  private readonly now: () => number;

  constructor(perMinute: number, burst: number, now: () => number) {
    this.perMs = perMinute / 60_000;
    this.burst = burst;
    this.now = now;
  }

  /** Takes one request from `key`'s bucket, or says how long until one is available. */
  take(key: string): Take {
    const t = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: t };
    b.tokens = Math.min(this.burst, b.tokens + Math.max(0, t - b.at) * this.perMs);
    b.at = t;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil((1 - b.tokens) / this.perMs) };
  }
}
