import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/core/engine/index.ts';
import { defineContext, keyBy, sequence, times } from '../../../src/core/rule-api.ts';
import { minutes } from '../../../src/events/time.ts';
import { alertsOf, login, transfer } from './helpers.ts';

const byAccount = keyBy('account', { login: (e) => e.account, transfer: (e) => e.account });
const devices = defineContext({
  id: 'devices',
  initial: () => ({ known: [] as string[] }),
  fold: { login: (c, e) => (e.success && !c.known.includes(e.device) ? { known: [...c.known, e.device] } : c) },
});
const ato = sequence({
  id: 'ato', version: 1, severity: 'high', description: 'takeover', key: byAccount, context: devices,
  within: minutes(30), skip: 'skip-past-last-event',
  pattern: (p) => p
    .begin('fails', 'login', (e) => !e.success, times(3, 10))
    .followedBy('takeover', 'login', (e, _m, ctx) => e.success && !ctx.known.includes(e.device))
    .followedBy('cashout', 'transfer', (e) => e.direction === 'OUT' && e.amount >= 10_000),
  message: (m) => `${m.fails.length} failures then ${m.takeover.device} moved ${m.cashout.amount}`,
});

describe('sequence: account takeover', () => {
  it('raises one alert with the whole chain and the context before the takeover', () => {
    const engine = createEngine([ato]);
    const m = 60_000;
    const input = [
      login('l0', 0, { device: 'home' }),
      login('f1', 1 * m, { success: false, failureReason: 'BAD_PASSWORD', device: 'evil' }),
      login('f2', 2 * m, { success: false, failureReason: 'BAD_PASSWORD', device: 'evil' }),
      login('f3', 3 * m, { success: false, failureReason: 'BAD_PASSWORD', device: 'evil' }),
      login('f4', 4 * m, { success: false, failureReason: 'BAD_PASSWORD', device: 'evil' }),
      login('ok', 5 * m, { device: 'evil' }),
      transfer('t0', 6 * m, { amount: 50 }),
      transfer('t1', 7 * m, { amount: 20_000 }),
    ];
    for (const e of input) engine.push(e);
    engine.flush();
    const effects = engine.drain();
    expect(alertsOf(effects)).toEqual([
      { rule: 'ato', key: 'A1', at: 7 * m, steps: { fails: ['f1', 'f2', 'f3', 'f4'], takeover: ['ok'], cashout: ['t1'] } },
    ]);
    const alert = effects[0]?.kind === 'alert' ? effects[0].alert : undefined;
    expect(alert?.message).toBe('4 failures then evil moved 20000');
    expect(alert?.context).toEqual({ known: ['home', 'evil'] });
    expect(alert?.id).toMatch(/^al_[0-9a-f]{32}$/);
  });
});

describe('sequence: contiguity', () => {
  const byAcct = keyBy('account', { login: (e) => e.account, transfer: (e) => e.account });
  const run = (rule: Parameters<typeof createEngine>[0][number], events: Parameters<ReturnType<typeof createEngine>['push']>[0][]) => {
    const engine = createEngine([rule]);
    for (const e of events) engine.push(e);
    engine.flush();
    return alertsOf(engine.drain()).map((a) => a.steps);
  };
  const evs = [login('a', 0, { device: 'a' }), login('b1', 1, { device: 'b' }), login('b2', 2, { device: 'b' }), transfer('x', 3), login('b3', 4, { device: 'b' })];
  const twoBs = (any: boolean) => sequence({
    id: 'two-bs', version: 1, severity: 'low', description: 'a then two b', key: byAcct, within: minutes(1), skip: 'no-skip',
    pattern: (p) => {
      const start = p.begin('a', 'login', (e) => e.device === 'a');
      return any ? start.followedByAny('b', 'login', (e) => e.device === 'b', times(2)) : start.followedBy('b', 'login', (e) => e.device === 'b', times(2));
    },
  });

  it('followedBy takes the next matching events (skip till next match): one match', () => {
    expect(run(twoBs(false), evs)).toEqual([{ a: ['a'], b: ['b1', 'b2'] }]);
  });

  it('followedByAny tries every combination (skip till any match)', () => {
    expect(run(twoBs(true), evs)).toEqual([{ a: ['a'], b: ['b1', 'b2'] }, { a: ['a'], b: ['b1', 'b3'] }, { a: ['a'], b: ['b2', 'b3'] }]);
  });

  it('next requires the very next event; a strict loop takes what it can before a relaxed step', () => {
    const rule = sequence({
      id: 'strict', version: 1, severity: 'low', description: 'a, then b right after (1-2 times), then a transfer', key: byAcct, within: minutes(1), skip: 'no-skip',
      pattern: (p) => p.begin('a', 'login', (e) => e.device === 'a').next('b', 'login', (e) => e.device === 'b', times(1, 2)).followedBy('t', 'transfer'),
    });
    expect(run(rule, evs)).toEqual([{ a: ['a'], b: ['b1', 'b2'], t: ['x'] }]);
    expect(run(rule, [login('a', 0, { device: 'a' }), transfer('y', 1), login('b1', 2, { device: 'b' }), transfer('x', 3)])).toEqual([]);
  });
});
