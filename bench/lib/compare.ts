// Compares two bench results by ratio: throughput may not fall below 0.85x of the baseline,
// p99 latency may not rise above 1.2x. Pure, so it is unit-tested.
import type { BenchResult } from './result.ts';

export const LIMITS = { throughput: 0.85, p99: 1.2 } as const;

export interface Ratio {
  readonly metric: string;
  readonly baseline: number;
  readonly candidate: number;
  readonly ratio: number;
  readonly limit: string;
  readonly ok: boolean;
}

export function compare(baseline: BenchResult, candidate: BenchResult): Ratio[] {
  const out: Ratio[] = [];
  for (const b of baseline.throughput) {
    const c = candidate.throughput.find((x) => x.name === b.name);
    if (c === undefined) continue;
    const ratio = c.eventsPerSec / b.eventsPerSec;
    out.push({ metric: `${b.name} events/s`, baseline: b.eventsPerSec, candidate: c.eventsPerSec, ratio, limit: `>= ${LIMITS.throughput}x`, ok: ratio >= LIMITS.throughput });
  }
  for (const b of baseline.latency) {
    const c = candidate.latency.find((x) => x.name === b.name);
    if (c === undefined) continue;
    const ratio = c.latencyUs.p99 / b.latencyUs.p99;
    out.push({ metric: `${b.name} p99 us`, baseline: b.latencyUs.p99, candidate: c.latencyUs.p99, ratio, limit: `<= ${LIMITS.p99}x`, ok: ratio <= LIMITS.p99 });
  }
  return out;
}

export function formatRatios(rows: readonly Ratio[]): string {
  return rows.map((r) => `${r.ok ? 'ok  ' : 'FAIL'} ${r.metric.padEnd(34)} ${String(r.baseline).padStart(9)} -> ${String(r.candidate).padStart(9)}  ${r.ratio.toFixed(2)}x (${r.limit})`).join('\n');
}
