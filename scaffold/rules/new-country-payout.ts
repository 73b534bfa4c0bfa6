// Example rule: a login from a country the account has never logged in from, then a large
// outbound transfer within 30 minutes. It reads the rule library's account context (the
// countries of the account's past successful logins), so it keys by the library's byAccount.
import { minutes, sequence } from 'cepheus';
import { accountContext, byAccount } from 'cepheus/rules';

export default sequence({
  id: 'new-country-payout',
  version: 1,
  severity: 'high',
  description: 'a login from a country new to the account, then an outbound transfer >= 5 000 within 30 min',
  key: byAccount,
  context: accountContext,
  within: minutes(30),
  skip: 'skip-past-last-event',
  pattern: (p) => p
    .begin('login', 'login', (e, _m, ctx) => e.success && ctx.countries.length > 0 && !ctx.countries.includes(e.country))
    .followedBy('payout', 'transfer', (e) => e.direction === 'OUT' && e.amount >= 5_000),
  message: (m, _ctx, key) => `${key}: login from ${m.login.country}, new to the account, then ${m.payout.amount} ${m.payout.currency} out ${Math.round((m.payout.ts - m.login.ts) / 60_000)} min later`,
});
