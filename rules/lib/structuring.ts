// Structuring (smurfing): several outbound transfers each just under a reporting threshold,
// within a sliding window, per account.
import { sliding, threshold as thresholdRule } from 'cepheus';
import type { DurationMs, ThresholdRule } from 'cepheus';
import { DEFAULTS } from './defaults.ts';
import type { RuleIdentity } from './defaults.ts';
import { byAccount } from './keys.ts';
import { built, count, fraction, identity, positive } from './params.ts';

export interface StructuringParams extends RuleIdentity {
  /** The reporting threshold: outbound transfers just under it are suspicious. @default 10_000 */
  readonly threshold?: number;
  /** How far under the threshold counts as "just under", as a fraction of it: amounts in
   *  [threshold × (1 − band), threshold). @default 0.1 */
  readonly band?: number;
  /** Alert when the window holds this many such transfers. @default 3 */
  readonly minTransfers?: number;
  /** Sliding window length. @default hours(24) */
  readonly within?: DurationMs;
}

/** `structuring` (threshold, by account, high): >= minTransfers OUT transfers in [threshold × (1 − band), threshold) within `within`. */
export function structuring(params: StructuringParams = {}): ThresholdRule {
  const who = identity(params, 'structuring', 'high', ['aml']);
  const high = positive(who.id, 'threshold', params.threshold ?? DEFAULTS.structuring.threshold);
  const low = high * (1 - fraction(who.id, 'band', params.band ?? DEFAULTS.structuring.band));
  const minTransfers = count(who.id, 'minTransfers', params.minTransfers ?? DEFAULTS.structuring.minTransfers);
  const within = positive(who.id, 'within', params.within ?? DEFAULTS.structuring.within) as DurationMs;
  return built(thresholdRule({
    ...who,
    description: `>= ${minTransfers} outbound transfers in [${low}, ${high}) within ${within / 3_600_000} h`,
    key: byAccount,
    on: 'transfer',
    where: (e) => e.direction === 'OUT' && e.amount >= low && e.amount < high,
    window: sliding(within),
    measures: (m) => ({ transfers: m.count(), total: m.sum((e) => e.amount), beneficiaries: m.distinct((e) => e.counterparty) }),
    when: (a) => a.transfers >= minTransfers,
    message: (a, _ctx, key) => `${key}: ${a.transfers} transfers just under ${high} (total ${Math.round(a.total)}) to ${a.beneficiaries} beneficiaries`,
  }), 'structuring', params);
}
