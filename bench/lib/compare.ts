// Compares two bench results by ratio: throughput may not fall below 0.85x of the baseline,
// p99 latency may not rise above 1.2x. In-process scenarios first, then the through-Kafka
// ones when both files have them (older files and runs without a broker have none). Pure,
// so it is unit-tested.
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

function throughputRow(metric: string, b: number, c: number): Ratio {
  const ratio = c / b;
  return { metric, baseline: b, candidate: c, ratio, limit: `>= ${LIMITS.throughput}x`, ok: ratio >= LIMITS.throughput };
}

function p99Row(metric: string, b: number, c: number): Ratio {
  const ratio = c / b;
  return { metric, baseline: b, candidate: c, ratio, limit: `<= ${LIMITS.p99}x`, ok: ratio <= LIMITS.p99 };
}

/** Rows for the runs both sides have, matched by name, in the baseline's order. */
function matched<T extends { readonly name: string }>(b: readonly T[], c: readonly T[], row: (b: T, c: T) => Ratio): Ratio[] {
  return b.flatMap((x) => {
    const y = c.find((v) => v.name === x.name);
    return y === undefined ? [] : [row(x, y)];
  });
}

export function compare(baseline: BenchResult, candidate: BenchResult): Ratio[] {
  const out = [
    ...matched(baseline.throughput, candidate.throughput, (b, c) => throughputRow(`${b.name} events/s`, b.eventsPerSec, c.eventsPerSec)),
    ...matched(baseline.latency, candidate.latency, (b, c) => p99Row(`${b.name} p99 us`, b.latencyUs.p99, c.latencyUs.p99)),
  ];
  const bk = baseline.kafka;
  const ck = candidate.kafka;
  if (bk !== undefined && ck !== undefined) {
    out.push(throughputRow(`${bk.throughput.name} events/s`, bk.throughput.eventsPerSec, ck.throughput.eventsPerSec));
    out.push(...matched(bk.latency, ck.latency, (b, c) => p99Row(`${b.name} p99 us`, b.latencyUs.p99, c.latencyUs.p99)));
  }
  return out;
}

export function formatRatios(rows: readonly Ratio[]): string {
  return rows.map((r) => `${r.ok ? 'ok  ' : 'FAIL'} ${r.metric.padEnd(34)} ${String(r.baseline).padStart(9)} -> ${String(r.candidate).padStart(9)}  ${r.ratio.toFixed(2)}x (${r.limit})`).join('\n');
}
