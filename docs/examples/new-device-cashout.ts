// Guide example: a sequence with a counted step, a context and typed captures.
import { defineContext, keyBy, login, minutes, sequence, times, transfer } from './kit.ts';

const byAccount = keyBy('account', { login: (e) => e.account, transfer: (e) => e.account });

const devices = defineContext({
  id: 'devices',
  initial: () => ({ known: [] as string[] }),
  fold: { login: (c, e) => (e.success && !c.known.includes(e.device) ? { known: [...c.known, e.device] } : c) },
});

export default sequence({
  id: 'new-device-cashout',
  version: 1,
  severity: 'critical',
  description: 'failed logins, a success from a new device, then a large transfer out',
  key: byAccount,
  context: devices,
  within: minutes(30),
  skip: 'skip-past-last-event',
  pattern: (p) => p
    .begin('failures', 'login', (e) => !e.success, times(3, 10)) // m.failures: readonly Login[]
    .followedBy('takeover', 'login', (e, _m, ctx) => e.success && !ctx.known.includes(e.device))
    .followedBy('cashout', 'transfer', (e) => e.direction === 'OUT' && e.amount >= 10_000),
  message: (m) => `${m.failures.length} failures, new device ${m.takeover.device}, ${m.cashout.amount} out`,
});

const M = 60_000;
export const sample = [
  login('l0', 0, { device: 'laptop' }),
  login('f1', 1 * M, { success: false, failureReason: 'BAD_PASSWORD', device: 'x' }),
  login('f2', 2 * M, { success: false, failureReason: 'BAD_PASSWORD', device: 'x' }),
  login('f3', 3 * M, { success: false, failureReason: 'BAD_PASSWORD', device: 'x' }),
  login('ok', 4 * M, { device: 'x' }),
  transfer('t1', 9 * M, { amount: 15_000 }),
];
