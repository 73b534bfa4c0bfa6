// Brute force on one account: many failed logins in a short sliding window.
import { sliding, threshold } from 'cepheus';
import type { DurationMs, ThresholdRule } from 'cepheus';
import { DEFAULTS } from './defaults.ts';
import type { RuleIdentity } from './defaults.ts';
import { byAccount } from './keys.ts';
import { built, count, identity, positive } from './params.ts';

export interface BruteForceParams extends RuleIdentity {
  /** Alert at this many failed logins in the window. @default 8 */
  readonly minFailures?: number;
  /** Sliding window length. @default minutes(10) */
  readonly within?: DurationMs;
}

/** `brute-force` (threshold, by account, high): >= minFailures failed logins on one account within `within`. */
export function bruteForce(params: BruteForceParams = {}): ThresholdRule {
  const who = identity(params, 'brute-force', 'high', ['fraud', 'login']);
  const minFailures = count(who.id, 'minFailures', params.minFailures ?? DEFAULTS.bruteForce.minFailures);
  const within = positive(who.id, 'within', params.within ?? DEFAULTS.bruteForce.within) as DurationMs;
  return built(threshold({
    ...who,
    description: `>= ${minFailures} failed logins on one account within ${within / 60_000} min`,
    key: byAccount,
    on: 'login',
    where: (e) => !e.success,
    window: sliding(within),
    measures: (m) => ({ failures: m.count(), ips: m.distinct((e) => e.ip) }),
    when: (a) => a.failures >= minFailures,
    message: (a, _ctx, key) => `${a.failures} failed logins on ${key} from ${a.ips} IP(s) within ${within / 60_000} min`,
  }), 'bruteForce', params);
}
