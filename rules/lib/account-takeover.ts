// Account takeover: repeated failed logins, then a success from a device the account has
// never used (account context), then a large outbound transfer, all within `within`.
import { sequence, times } from 'cepheus';
import type { DurationMs, SequenceRule } from 'cepheus';
import { accountContext } from './account-context.ts';
import { DEFAULTS } from './defaults.ts';
import type { RuleIdentity } from './defaults.ts';
import { byAccount } from './keys.ts';
import { built, count, identity, positive } from './params.ts';

export interface AccountTakeoverParams extends RuleIdentity {
  /** Failed logins needed before the takeover. @default 3 */
  readonly minFailures?: number;
  /** Most failed logins one match holds (bounds the state). @default 20 */
  readonly maxFailures?: number;
  /** Smallest outbound transfer that counts as the cash-out. @default 10_000 */
  readonly minCashout?: number;
  /** From the first failure to the cash-out. @default minutes(30) */
  readonly within?: DurationMs;
}

/** `account-takeover` (sequence, by account, critical): failures ×minFailures..maxFailures → success from a new device → OUT transfer >= minCashout, within `within`. */
export function accountTakeover(params: AccountTakeoverParams = {}): SequenceRule {
  const D = DEFAULTS.accountTakeover;
  const who = identity(params, 'account-takeover', 'critical', ['fraud', 'ato']);
  const minFailures = count(who.id, 'minFailures', params.minFailures ?? D.minFailures);
  const maxFailures = count(who.id, 'maxFailures', params.maxFailures ?? D.maxFailures, minFailures);
  const minCashout = positive(who.id, 'minCashout', params.minCashout ?? D.minCashout);
  return built(sequence({
    ...who,
    description: `>= ${minFailures} failed logins, a success from a new device, then an outbound transfer >= ${minCashout}`,
    key: byAccount,
    context: accountContext,
    within: positive(who.id, 'within', params.within ?? D.within) as DurationMs,
    skip: 'skip-past-last-event',
    pattern: (p) => p
      .begin('failures', 'login', (e) => !e.success, times(minFailures, maxFailures))
      .followedBy('takeover', 'login', (e, _m, ctx) => e.success && !ctx.knownDevices.includes(e.device))
      .followedBy('cashout', 'transfer', (e) => e.direction === 'OUT' && e.amount >= minCashout),
    message: (m) =>
      `${m.failures.length} failed logins, then a login from new device ${m.takeover.device} (${m.takeover.country}, IP ${m.takeover.ip}), then ${m.cashout.amount} ${m.cashout.currency} out to ${m.cashout.counterparty}`,
  }), 'accountTakeover', params);
}
