// Dormant account reactivated then drained: no activity for a long time (account context), a
// successful login, then outbound transfers adding up to a large amount.
import { sequence, times } from 'cepheus';
import type { DurationMs, SequenceRule } from 'cepheus';
import { accountContext } from './account-context.ts';
import { DEFAULTS } from './defaults.ts';
import type { RuleIdentity } from './defaults.ts';
import { byAccount } from './keys.ts';
import { built, count, identity, positive } from './params.ts';

const DAY = 86_400_000;

export interface DormantDrainParams extends RuleIdentity {
  /** Silence before the login that makes an account dormant. @default days(30) */
  readonly dormancy?: DurationMs;
  /** Total outbound amount after the login that raises the alert. @default 20_000 */
  readonly minDrain?: number;
  /** From the login to the transfer that reaches minDrain. @default hours(48) */
  readonly within?: DurationMs;
  /** Most transfers one match adds up (bounds the state). @default 20 */
  readonly maxTransfers?: number;
}

/** `dormant-drain` (sequence, by account, critical): login after >= dormancy of silence → OUT transfers totalling >= minDrain (at most maxTransfers), within `within`. */
export function dormantDrain(params: DormantDrainParams = {}): SequenceRule {
  const D = DEFAULTS.dormantDrain;
  const who = identity(params, 'dormant-drain', 'critical', ['fraud', 'aml', 'context']);
  const dormancy = positive(who.id, 'dormancy', params.dormancy ?? D.dormancy);
  const minDrain = positive(who.id, 'minDrain', params.minDrain ?? D.minDrain);
  const within = positive(who.id, 'within', params.within ?? D.within) as DurationMs;
  const maxTransfers = count(who.id, 'maxTransfers', params.maxTransfers ?? D.maxTransfers);
  return built(sequence({
    ...who,
    description: `no activity for ${dormancy / DAY} days, a login, then outbound transfers totalling >= ${minDrain} within ${within / 3_600_000} h`,
    key: byAccount,
    context: accountContext,
    within,
    skip: 'skip-past-last-event',
    pattern: (p) => p
      .begin('wake', 'login', (e, _m, ctx) => e.success && ctx.lastActivityTs !== null && e.ts - ctx.lastActivityTs >= dormancy)
      .followedBy('drains', 'transfer', (e) => e.direction === 'OUT', times(0, maxTransfers - 1))
      .followedBy('last', 'transfer', (e, m) => e.direction === 'OUT' && m.drains.reduce((s, t) => s + t.amount, 0) + e.amount >= minDrain),
    message: (m, _ctx, key) => {
      const total = m.drains.reduce((s, t) => s + t.amount, 0) + m.last.amount;
      return `${key}: dormant account woke up and sent ${Math.round(total)} out in ${m.drains.length + 1} transfer(s)`;
    },
  }), 'dormantDrain', params);
}
