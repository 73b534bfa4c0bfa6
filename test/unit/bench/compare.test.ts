// The bench regression gate: ratios against a baseline, failing below 0.85x throughput or
// above 1.2x p99.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compare, formatRatios } from '../../../bench/lib/compare.ts';
import type { BenchResult } from '../../../bench/lib/result.ts';

const baseline = JSON.parse(readFileSync(new URL('../../../bench/baseline/2-core-vm.json', import.meta.url), 'utf8')) as BenchResult;
const scaled = (tput: number, p99: number): BenchResult => ({
  ...baseline,
  throughput: baseline.throughput.map((t) => ({ ...t, eventsPerSec: Math.round(t.eventsPerSec * tput) })),
  latency: baseline.latency.map((l) => ({ ...l, latencyUs: { ...l.latencyUs, p99: Math.round(l.latencyUs.p99 * p99) } })),
});

describe('bench compare', () => {
  it('passes the baseline against itself, every metric at 1.00x', () => {
    const rows = compare(baseline, baseline);
    expect(rows.map((r) => [r.metric, r.ratio, r.ok])).toEqual([
      ...baseline.throughput.map((t) => [`${t.name} events/s`, 1, true]),
      ...baseline.latency.map((l) => [`${l.name} p99 us`, 1, true]),
    ]);
  });

  it('fails when throughput drops below 0.85x or p99 rises above 1.2x, and only then', () => {
    expect(compare(baseline, scaled(0.86, 1.19)).every((r) => r.ok)).toBe(true);
    expect(compare(baseline, scaled(0.84, 1)).filter((r) => !r.ok).map((r) => r.metric)).toEqual(baseline.throughput.map((t) => `${t.name} events/s`));
    expect(compare(baseline, scaled(1, 1.21)).filter((r) => !r.ok).map((r) => r.metric)).toEqual(baseline.latency.map((l) => `${l.name} p99 us`));
    expect(formatRatios(compare(baseline, scaled(0.5, 1))).split('\n')[0]).toMatch(/^FAIL max-throughput events\/s/);
  });
});
