// Bounded state and fault isolation: overflow is counted, a throwing rule does not stop others.
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/core/engine/index.ts';
import { defineContext, keyBy, sequence, times } from '../../../src/core/rule-api.ts';
import { days, minutes, ms } from '../../../src/events/time.ts';
import { alertsOf, login } from './helpers.ts';

const byAccount = keyBy('account', { login: (e) => e.account });
const pairs = sequence({
  id: 'pairs', version: 1, severity: 'low', description: 'two logins', key: byAccount, within: minutes(10), skip: 'no-skip',
  pattern: (p) => p.begin('a', 'login', (e) => e.device === 'x').followedBy('b', 'login', (e) => e.device === 'y'),
});

describe('bounded state', () => {
  it('drops the oldest partial matches beyond the bound and reports how many', () => {
    const engine = createEngine([pairs], { maxPartialMatches: 2 });
    for (let i = 0; i < 4; i++) engine.push(login(`x${i}`, i, { device: 'x' }));
    engine.push(login('y', 10, { device: 'y' }));
    engine.flush();
    const effects = engine.drain();
    expect(effects.map((f) => (f.kind === 'overflow' ? `overflow ${f.dropped}` : f.kind === 'alert' ? `alert ${f.alert.matched[0]?.events[0]?.event.id}` : f.kind)))
      .toEqual(['overflow 1', 'overflow 1', 'alert x2', 'alert x3']);
    expect(engine.rules()[0]?.stats).toEqual({ eventsSeen: 5, alerts: 2, errors: 0, overflowDropped: 2 });
  });

  it('a key idle past its TTL starts afresh (context reset), exactly, whenever sweeps run', () => {
    const seen = defineContext({ id: 'seen', initial: () => ({ n: 0 }), fold: { login: (c) => ({ n: c.n + 1 }) } });
    const count = sequence({
      id: 'count', version: 1, severity: 'low', description: 'logins seen before', key: byAccount, context: seen, within: ms(1), skip: 'no-skip',
      pattern: (p) => p.begin('l', 'login'), message: (_m, ctx) => `seen ${ctx.n}`,
    });
    const messages = (ttl: number): string[] => {
      const engine = createEngine([count], { idleKeyTtlMs: ttl });
      engine.push(login('a', 0));
      engine.push(login('b', days(1) + 1));
      engine.flush();
      return engine.drain().flatMap((f) => (f.kind === 'alert' ? [f.alert.message] : []));
    };
    expect(messages(days(1))).toEqual(['seen 0', 'seen 0']);
    expect(messages(days(2))).toEqual(['seen 0', 'seen 1']);

    const engine = createEngine([count], { idleKeyTtlMs: days(1) });
    engine.push(login('a', 0));
    engine.push(login('b', 1000, { account: 'B' }));
    engine.compact(); // A holds no rule state but is within its TTL: its context stays
    engine.push(login('c', 2000));
    engine.flush();
    expect(engine.drain().flatMap((f) => (f.kind === 'alert' ? [f.alert.message] : []))).toEqual(['seen 0', 'seen 0', 'seen 1']);
  });

  it('sweeps reclaim idle keys once enough events have passed (in key spaces without a budget)', () => {
    const engine = createEngine([pairs], { idleKeyTtlMs: days(1), sweepIntervalMs: 60_000, maxKeys: Infinity });
    engine.push(login('a', 0, { account: 'A', device: 'x' }));
    engine.push(login('b', 1000, { account: 'B', device: 'z' }));
    engine.advanceWatermark(1001); // b (ts 1000) is released once the watermark is past it
    expect(engine.stats().keys).toBe(2);
    for (let i = 0; i < 10; i++) engine.push(login(`c${i}`, days(2) + i * 120_000, { account: 'C', device: 'z' }));
    expect(engine.stats().keys).toBe(1);
  });
});

describe('rule isolation', () => {
  it('a throwing predicate is reported with the rule id and other rules still alert', () => {
    const broken = sequence({
      id: 'broken', version: 1, severity: 'low', description: 'throws', key: byAccount, within: minutes(1), skip: 'no-skip',
      pattern: (p) => p.begin('a', 'login', (e) => {
        if (e.device === 'boom') throw new Error('bad data');
        return true;
      }).followedBy('b', 'login', undefined, times(1)),
    });
    const engine = createEngine([broken, pairs]);
    engine.push(login('x1', 0, { device: 'x' }));
    engine.push(login('b1', 1, { device: 'boom' }));
    engine.push(login('y1', 2, { device: 'y' }));
    engine.flush();
    const effects = engine.drain();
    expect(effects.filter((f) => f.kind === 'rule-error')).toEqual([
      { kind: 'rule-error', ruleId: 'broken', key: 'A1', eventId: 'b1', error: 'Error: bad data' },
    ]);
    expect(alertsOf(effects)).toEqual([
      { rule: 'broken', key: 'A1', at: 2, steps: { a: ['x1'], b: ['y1'] } },
      { rule: 'pairs', key: 'A1', at: 2, steps: { a: ['x1'], b: ['y1'] } },
    ]);
  });

  it('a disabled rule sees nothing until enabled again', () => {
    const engine = createEngine([pairs]);
    expect(engine.setEnabled('pairs', false)).toBe(true);
    engine.push(login('x1', 0, { device: 'x' }));
    engine.push(login('y1', 1, { device: 'y' }));
    expect(engine.setEnabled('pairs', true)).toBe(true);
    engine.push(login('x2', 2, { device: 'x' }));
    engine.push(login('y2', 3, { device: 'y' }));
    engine.flush();
    expect(alertsOf(engine.drain())).toEqual([{ rule: 'pairs', key: 'A1', at: 3, steps: { a: ['x2'], b: ['y2'] } }]);
    expect(engine.setEnabled('nope', true)).toBe(false);
  });
});
