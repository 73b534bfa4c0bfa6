// Replay is deterministic whatever the batch size, quarantines an event dated far ahead of the
// file instead of letting it make the rest late, and scoring counts what it should.
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/core/alert.ts';
import { quarantineLine } from '../../../src/cli/replay.ts';
import { replay } from '../../../src/replay/replay.ts';
import type { ReplayItem } from '../../../src/replay/replay.ts';
import { score } from '../../../src/replay/score.ts';
import { loadRules } from '../../../src/rules/load-rules.ts';
import { login, trade, transfer } from '../../../src/testing.ts';
import type { AnyEvent } from '../../../src/events/types.ts';

const M = 60_000;
function stream(): AnyEvent[] {
  const out: AnyEvent[] = [];
  for (let a = 0; a < 20; a++) {
    const account = `A${a}`;
    const base = a * 7 * M;
    out.push(login(`${account}-h`, base, { account, device: 'home' }));
    for (let i = 0; i < 3 + (a % 3); i++) out.push(login(`${account}-f${i}`, base + (i + 1) * M, { account, success: false, failureReason: 'BAD_PASSWORD', device: 'evil' }));
    out.push(login(`${account}-ok`, base + 6 * M, { account, device: a % 2 === 0 ? 'evil' : 'home' }));
    out.push(transfer(`${account}-t`, base + 7 * M, { account, amount: 12_000 }));
    for (let i = 0; i < 5; i++) out.push(trade(`${account}-tr${i}`, base + i * 1000, { account }));
  }
  return out.sort((x, y) => x.ts - y.ts);
}

async function ids(batchSize: number): Promise<string[]> {
  const rules = (await loadRules()).map((l) => l.rule);
  const alerts: Alert[] = [];
  await replay(stream().map((event): ReplayItem => ({ event })), { rules, batchSize, onAlert: (a) => alerts.push(a) });
  return alerts.map((a) => `${a.ruleId} ${a.key} ${a.id}`);
}

describe('replay', () => {
  it('gives identical alerts (ids and order) for any batch size, run after run', async () => {
    const reference = await ids(1024);
    expect(reference).toHaveLength(10);
    expect(reference.every((l) => l.startsWith('account-takeover '))).toBe(true);
    for (const b of [1, 3, 17, 1024]) expect(await ids(b)).toEqual(reference);
  });

  it('counts unreadable records and keeps going', async () => {
    const rules = (await loadRules(['account-takeover'])).map((l) => l.rule);
    const items: ReplayItem[] = [{ error: { code: 'CEP_ERR_INPUT_JSON', message: 'x' } }, ...stream().map((event) => ({ event }))];
    const s = await replay(items, { rules, clock: () => 0 });
    expect({ events: s.events, inputErrors: s.inputErrors, alerts: s.alertsByRule }).toEqual({ events: stream().length, inputErrors: 1, alerts: { 'account-takeover': 10 } });
  });

  it('quarantines an event dated 2099 in the middle of the file: the rest gives the alerts of the file without it', async () => {
    const rules = (await loadRules(['account-takeover'])).map((l) => l.rule);
    const events = stream();
    const runaway = login('runaway-2099', Date.UTC(2099, 0, 1), { account: 'A3' });
    const at = 40;
    const withIt = [...events.slice(0, at), runaway, ...events.slice(at)].map((event): ReplayItem => ({ event }));
    const quarantined: string[] = [];
    const guarded = await replay(withIt, { rules, clock: () => 0, maxAheadMs: 3_600_000, onQuarantine: (d) => quarantined.push(quarantineLine(d)) });
    const unguarded = await replay(withIt, { rules, clock: () => 0 });
    const clean = await replay(events.map((event) => ({ event })), { rules, clock: () => 0 });
    const counts = (s: typeof clean) => ({ events: s.events, futureEvents: s.futureEvents, late: s.late, alerts: s.alertsByRule, last: s.lastEventTime });
    expect([counts(guarded), counts(unguarded)]).toEqual([
      { ...counts(clean), futureEvents: 1 },
      // Without the guard every event after it is late, and only the alerts before it are raised.
      { events: events.length + 1, futureEvents: 0, late: events.length - at, alerts: { 'account-takeover': 2 }, last: '2099-01-01T00:00:00.000Z' },
    ]);
    expect(counts(clean)).toEqual({ events: events.length, futureEvents: 0, late: 0, alerts: { 'account-takeover': 10 }, last: new Date(events[events.length - 1]?.ts ?? 0).toISOString() });
    const before = new Date(events[at - 1]?.ts ?? 0).toISOString();
    expect(quarantined).toEqual([
      `CEP_ERR_FUTURE_EVENT: event runaway-2099 at 2099-01-01T00:00:00.000Z is more than --max-ahead-ms ahead of its stream (median of the next events ${new Date(events[at + 7]?.ts ?? 0).toISOString()}, latest accepted before it ${before}); quarantined, not processed`,
    ]);
  });
});

describe('replay under a key budget', () => {
  it('counts the keys evicted, by reason and key space, from the evicted effects it passes on', async () => {
    const rules = (await loadRules(['brute-force', 'credential-stuffing'])).map((l) => l.rule);
    const events = Array.from({ length: 600 }, (_, i) => login(`k${i}`, i * 10, { account: `N${i}`, ip: `10.0.${i >> 8}.${i & 255}`, success: i % 2 === 0, failureReason: i % 2 === 0 ? null : 'BAD_PASSWORD' }));
    const evicted: string[] = [];
    const s = await replay(events.map((event): ReplayItem => ({ event })), {
      rules, engine: { keyGroups: 4, maxKeys: 128, maxKeysBySpace: { ip: Infinity } }, clock: () => 0,
      onEffect: (f) => {
        if (f.kind === 'evicted') evicted.push(...f.idle, ...f.active);
      },
    });
    expect({ evicted: s.evicted, keySpaces: s.keySpaces, listed: evicted.length }).toEqual({
      // Failed logins stay in brute-force's 10-minute window: those accounts are evicted active.
      evicted: { idle: 286, active: 190 },
      keySpaces: [
        { name: 'account', keys: 124, maxKeys: 128, evictedIdle: 286, evictedActive: 190 },
        { name: 'ip', keys: 600, maxKeys: null, evictedIdle: 0, evictedActive: 0 },
      ],
      listed: 476,
    });
  });
});

describe('score', () => {
  const alert = (rule: string, key: string, ids: string[]) => ({ ruleId: rule, key, matched: [{ step: 's', events: ids.map((id) => ({ event: login(id, 0), source: null })) }] });
  it('computes detections, false positives, near-miss fires, precision and recall per rule', () => {
    const labels = { scenarios: [
      { id: 'p1', rule: 'r', kind: 'positive' as const, key: 'A', eventIds: ['a1', 'a2'] },
      { id: 'p2', rule: 'r', kind: 'positive' as const, key: 'B', eventIds: ['b1'] },
      { id: 'n1', rule: 'r', kind: 'near-miss' as const, key: 'C', eventIds: ['c1'] },
    ] };
    expect(score([alert('r', 'A', ['a2']), alert('r', 'C', ['c1']), alert('r', 'A', ['zz'])], labels, ['r', 'other'])).toEqual({
      r: { positives: 2, detected: 1, missed: ['p2'], alerts: 3, truePositiveAlerts: 1, falsePositiveAlerts: 2, nearMissAlerts: ['n1'], precision: 1 / 3, recall: 0.5 },
      other: { positives: 0, detected: 0, missed: [], alerts: 0, truePositiveAlerts: 0, falsePositiveAlerts: 0, nearMissAlerts: [], precision: 1, recall: 1 },
    });
  });
});
