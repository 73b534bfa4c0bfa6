// Event time: watermarks, out-of-order input, late events, allowed lateness, timers, flush.
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/core/engine/index.ts';
import { keyBy, sequence, threshold, tumbling } from '../../../src/core/rule-api.ts';
import { minutes, ms } from '../../../src/events/time.ts';
import { alertsOf, login, transfer } from './helpers.ts';

const byAccount = keyBy('account', { login: (e) => e.account, transfer: (e) => e.account });
const loginThenTransfer = sequence({
  id: 'lt', version: 1, severity: 'low', description: 'login then transfer', key: byAccount, within: ms(100), skip: 'no-skip',
  pattern: (p) => p.begin('login', 'login').followedBy('out', 'transfer'),
});
const noTransferAfterLogin = sequence({
  id: 'silent', version: 1, severity: 'low', description: 'login with no transfer within 100 ms', key: byAccount, within: ms(100), skip: 'no-skip',
  pattern: (p) => p.begin('login', 'login').notFollowedBy('out', 'transfer'),
});

describe('watermarks and lateness', () => {
  it('reorders events within the out-of-orderness bound', () => {
    const engine = createEngine([loginThenTransfer], { outOfOrdernessMs: 20 });
    engine.push(transfer('t', 110));
    engine.push(login('l', 100));
    engine.flush();
    expect(alertsOf(engine.drain())).toEqual([{ rule: 'lt', key: 'A1', at: 110, steps: { login: ['l'], out: ['t'] } }]);
  });

  it('reports an event behind the watermark as late and does not match it', () => {
    const engine = createEngine([loginThenTransfer], { outOfOrdernessMs: 5 });
    engine.push(transfer('t', 110));
    engine.push(login('l', 100));
    engine.flush();
    const effects = engine.drain();
    expect(effects.map((f) => (f.kind === 'late' ? { late: f.event.id, watermark: f.watermark } : f.kind))).toEqual([{ late: 'l', watermark: 105 }]);
    expect(engine.stats()).toMatchObject({ events: 2, late: 1, lateAccepted: 0 });
  });

  it('processes an event within the allowed lateness at once, after what was already released', () => {
    const engine = createEngine([loginThenTransfer], { outOfOrdernessMs: 5, allowedLatenessMs: 200 });
    engine.push(login('l1', 90));
    engine.push(transfer('t', 110));
    engine.push(login('l3', 300)); // watermark 295: l1 and t are processed
    engine.push(login('l2', 100)); // 195 behind: accepted, processed now (after t, so not matched with it)
    engine.push(transfer('t3', 190)); // also accepted late
    engine.flush();
    expect(alertsOf(engine.drain())).toEqual([
      { rule: 'lt', key: 'A1', at: 110, steps: { login: ['l1'], out: ['t'] } },
      { rule: 'lt', key: 'A1', at: 190, steps: { login: ['l2'], out: ['t3'] } },
    ]);
    expect(engine.stats()).toMatchObject({ late: 0, lateAccepted: 2 });
  });

  it('fires an absence timer only once the watermark passes the deadline, and flush stops at the last event', () => {
    const engine = createEngine([noTransferAfterLogin]);
    engine.push(login('l1', 0));
    engine.push(login('l2', 150));
    expect(alertsOf(engine.drain())).toEqual([{ rule: 'silent', key: 'A1', at: 100, steps: { login: ['l1'] } }]);
    engine.flush();
    expect(alertsOf(engine.drain())).toEqual([]);
    engine.advanceWatermark(251);
    expect(alertsOf(engine.drain())).toEqual([{ rule: 'silent', key: 'A1', at: 250, steps: { login: ['l2'] } }]);
  });

  it('a transfer at exactly the deadline still counts as "followed by"', () => {
    const engine = createEngine([noTransferAfterLogin]);
    engine.push(login('l1', 0));
    engine.push(transfer('t', 100));
    engine.advanceWatermark(1000);
    expect(alertsOf(engine.drain())).toEqual([]);
  });

  it('closes a tumbling window when the watermark reaches its end, not before', () => {
    const rule = threshold({
      id: 'tw', version: 1, severity: 'low', description: 'three logins a minute', key: byAccount, on: 'login',
      window: tumbling(minutes(1)), measures: (m) => ({ n: m.count() }), when: (a) => a.n >= 3,
    });
    const engine = createEngine([rule]);
    for (const [id, ts] of [['a', 1_000], ['b', 2_000], ['c', 59_999]] as const) engine.push(login(id, ts));
    engine.advanceWatermark(59_999);
    expect(alertsOf(engine.drain())).toEqual([]);
    engine.push(login('d', 60_000)); // watermark 60 000: no on-time event can fall in [0, 60 000) any more
    expect(alertsOf(engine.drain())).toEqual([{ rule: 'tw', key: 'A1', at: 59_999, steps: { window: ['a', 'b', 'c'] } }]);
  });
});
