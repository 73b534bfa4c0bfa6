// Compares two bench results by ratio: throughput may not fall below 0.85x of the baseline,
// p99 latency may not rise above 1.2x, state per idle account not above 1.1x. In-process
// scenarios first, then the through-Kafka ones (p99 and p99 beyond the event-time floor) when
// both files have them (older files and runs without a broker have none), then the `--against`
// ratios when both files were measured against the same commit: those compare a ratio taken
// in one run, so they hold on a noisier machine than absolute figures. Pure, so unit-tested.
import type { BenchResult } from './result.ts';

export const LIMITS = { throughput: 0.85, p99: 1.2, state: 1.1 } as const;

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

function stateRow(metric: string, b: number, c: number): Ratio {
  const ratio = c / b;
  return { metric, baseline: b, candidate: c, ratio, limit: `<= ${LIMITS.state}x`, ok: ratio <= LIMITS.state };
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
    ...matched(baseline.state, candidate.state, (b, c) => stateRow(`${b.name} bytes/account`, b.bytesPerAccount, c.bytesPerAccount)),
  ];
  const bk = baseline.kafka;
  const ck = candidate.kafka;
  if (bk !== undefined && ck !== undefined) {
    out.push(throughputRow(`${bk.throughput.name} events/s`, bk.throughput.eventsPerSec, ck.throughput.eventsPerSec));
    out.push(...matched(bk.latency, ck.latency, (b, c) => p99Row(`${b.name} p99 us`, b.latencyUs.p99, c.latencyUs.p99)));
    out.push(...matched(bk.latency, ck.latency, (b, c) => p99Row(`${b.name} p99 beyond floor us`, b.beyondFloorUs.p99, c.beyondFloorUs.p99)));
  }
  const ba = baseline.against;
  const ca = candidate.against;
  if (ba !== undefined && ca !== undefined && ba.commit === ca.commit) {
    for (const b of ba.scenarios) {
      const c = ca.scenarios.find((x) => x.name === b.name && x.metric === b.metric);
      if (c === undefined) continue;
      const metric = `vs ${ba.commit.slice(0, 7)} ${b.name} ${b.metric} ratio`;
      out.push(b.metric === 'eventsPerSec' || b.metric === 'cpuEventsPerSec' ? throughputRow(metric, b.ratio, c.ratio) : b.metric === 'bytesPerAccount' ? stateRow(metric, b.ratio, c.ratio) : p99Row(metric, b.ratio, c.ratio));
    }
  }
  return out;
}

export function formatRatios(rows: readonly Ratio[]): string {
  return rows.map((r) => `${r.ok ? 'ok  ' : 'FAIL'} ${r.metric.padEnd(34)} ${String(r.baseline).padStart(9)} -> ${String(r.candidate).padStart(9)}  ${r.ratio.toFixed(2)}x (${r.limit})`).join('\n');
}
