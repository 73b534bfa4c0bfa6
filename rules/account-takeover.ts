// Account takeover: repeated failed logins, then a success from a device the account has
// never used, then a large outbound transfer, all within 30 minutes.
import { sequence, times } from 'cepheus';
import { accountContext } from './lib/account-context.ts';
import { byAccount } from './lib/keys.ts';
import { PARAMS } from './lib/params.ts';

const P = PARAMS.accountTakeover;

export default sequence({
  id: 'account-takeover',
  version: 1,
  severity: 'critical',
  description: `>= ${P.minFailures} failed logins, a success from a new device, then an outbound transfer >= ${P.minCashout}`,
  tags: ['fraud', 'ato'],
  key: byAccount,
  context: accountContext,
  within: P.within,
  skip: 'skip-past-last-event',
  pattern: (p) => p
    .begin('failures', 'login', (e) => !e.success, times(P.minFailures, P.maxFailures))
    .followedBy('takeover', 'login', (e, _m, ctx) => e.success && !ctx.knownDevices.includes(e.device))
    .followedBy('cashout', 'transfer', (e) => e.direction === 'OUT' && e.amount >= P.minCashout),
  message: (m) =>
    `${m.failures.length} failed logins, then a login from new device ${m.takeover.device} (${m.takeover.country}, IP ${m.takeover.ip}), then ${m.cashout.amount} ${m.cashout.currency} out to ${m.cashout.counterparty}`,
});
