// Dormant account reactivated then drained: no activity for 30 days, a successful login, then
// outbound transfers adding up to a large amount within 48 hours.
import { sequence, times } from 'cepheus';
import { accountContext } from './lib/account-context.ts';
import { byAccount } from './lib/keys.ts';
import { PARAMS } from './lib/params.ts';

const P = PARAMS.dormantDrain;
const DAY = 86_400_000;

export default sequence({
  id: 'dormant-drain',
  version: 1,
  severity: 'critical',
  description: `no activity for ${P.dormancy / DAY} days, a login, then outbound transfers totalling >= ${P.minDrain} within ${P.within / 3_600_000} h`,
  tags: ['fraud', 'aml', 'context'],
  key: byAccount,
  context: accountContext,
  within: P.within,
  skip: 'skip-past-last-event',
  pattern: (p) => p
    .begin('wake', 'login', (e, _m, ctx) => e.success && ctx.lastActivityTs !== null && e.ts - ctx.lastActivityTs >= P.dormancy)
    .followedBy('drains', 'transfer', (e) => e.direction === 'OUT', times(0, P.maxTransfers - 1))
    .followedBy('last', 'transfer', (e, m) => e.direction === 'OUT' && m.drains.reduce((s, t) => s + t.amount, 0) + e.amount >= P.minDrain),
  message: (m, _ctx, key) => {
    const total = m.drains.reduce((s, t) => s + t.amount, 0) + m.last.amount;
    return `${key}: dormant account woke up and sent ${Math.round(total)} out in ${m.drains.length + 1} transfer(s)`;
  },
});
