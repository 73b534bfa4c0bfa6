import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/core/engine.ts';
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
