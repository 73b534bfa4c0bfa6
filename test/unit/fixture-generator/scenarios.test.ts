// The generator plants what the labels say, and only that: an engine-independent brute-force
// reference of every pattern finds exactly the positives in a full stream, none of the near
// misses, and nothing at all in background-only streams (dense ones included).
import { describe, expect, it } from 'vitest';
import type { AnyEvent } from '../../../src/events/types.ts';
import { generate } from '../../../src/fixture-generator/generate.ts';
import type { Labels } from '../../../src/fixture-generator/labels.ts';
import type { GenOptions } from '../../../src/fixture-generator/options.ts';
import { SCENARIO_CATALOGUE } from '../../../src/fixture-generator/scenarios/scenario-plan.ts';
import { referenceHits } from './reference-patterns.ts';

function run(options: Partial<GenOptions>): { events: AnyEvent[]; labels: Labels } {
  const g = generate(options);
  const events = [...g.events];
  return { events, labels: g.labels() };
}

const full = run({ seed: 42, events: 20_000 });

describe('planted scenarios', () => {
  it('plants the requested instances of every rule and near-miss variant, on distinct keys', () => {
    const count = (rule: string, kind: string): number => full.labels.scenarios.filter((s) => s.rule === rule && s.kind === kind).length;
    for (const spec of SCENARIO_CATALOGUE) {
      expect([spec.rule, count(spec.rule, 'positive')]).toStrictEqual([spec.rule, 3]);
      expect([spec.rule, count(spec.rule, 'near-miss')]).toStrictEqual([spec.rule, 2 * spec.nearMisses.length]);
    }
    const accountKeys = full.labels.scenarios.filter((s) => !['credential-stuffing', 'wash-trading', 'spoofing'].includes(s.rule)).map((s) => s.key);
    expect(new Set(accountKeys).size).toBe(accountKeys.length);
    expect(full.labels.skipped).toStrictEqual([]);
  });

  it('every labelled event exists, ids are unique, and the total is exact', () => {
    const ids = new Set(full.events.map((e) => e.id));
    expect(ids.size).toBe(full.events.length);
    expect(full.events.length).toBe(20_000);
    for (const s of full.labels.scenarios) {
      expect(s.eventIds.length).toBeGreaterThan(0);
      for (const id of [...s.eventIds, ...s.contextEventIds]) expect(ids.has(id)).toBe(true);
    }
    for (const id of full.labels.late) expect(ids.has(id)).toBe(true);
  });

  it('expected detection windows lie within each positive scenario; near misses have none', () => {
    const byId = new Map(full.events.map((e) => [e.id, e]));
    for (const s of full.labels.scenarios) {
      if (s.kind === 'near-miss') {
        expect(s.expectedDetection).toBeNull();
        continue;
      }
      const times = s.eventIds.map((id) => byId.get(id)?.ts ?? NaN);
      expect(s.expectedDetection).not.toBeNull();
      expect(s.expectedDetection?.from).toBeGreaterThanOrEqual(Math.min(...times));
      expect(s.expectedDetection?.to).toBe(Math.max(...times));
    }
  });

  it('spreads instances of a rule over the timeline', () => {
    const byId = new Map(full.events.map((e) => [e.id, e]));
    const start = Date.parse(full.labels.options.start);
    for (const spec of SCENARIO_CATALOGUE) {
      const days = full.labels.scenarios.filter((s) => s.rule === spec.rule).map((s) => Math.floor(((byId.get(s.eventIds[0] ?? '')?.ts ?? 0) - start) / 86_400_000));
      expect(new Set(days).size, spec.rule).toBeGreaterThanOrEqual(Math.min(3, days.length));
    }
  });

  it('a brute-force reference finds exactly the positives: no near miss, no background hit', () => {
    const expected = full.labels.scenarios.filter((s) => s.kind === 'positive').map((s) => ({ rule: s.rule, key: s.key }))
      .sort((a, b) => a.rule.localeCompare(b.rule) || a.key.localeCompare(b.key));
    expect(referenceHits(full.events)).toStrictEqual(expected);
  });

  it.each([
    { seed: 1, events: 60_000, accounts: 400 },
    { seed: 2, events: 150_000, accounts: 120 },
    { seed: 3, events: 40_000, accounts: 60, days: 10 },
  ])('background only (%o) shows none of the patterns', (o) => {
    const bg = run({ ...o, scenarios: false });
    expect(bg.events.length).toBe(o.events);
    expect(referenceHits(bg.events)).toStrictEqual([]);
  });
});
