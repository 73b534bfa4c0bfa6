// Credential stuffing: one IP failing logins across many distinct accounts.
import { sliding, threshold } from 'cepheus';
import type { DurationMs, ThresholdRule } from 'cepheus';
import { DEFAULTS } from './defaults.ts';
import type { RuleIdentity } from './defaults.ts';
import { byIp } from './keys.ts';
import { built, count, identity, positive } from './params.ts';

export interface CredentialStuffingParams extends RuleIdentity {
  /** Alert when one IP failed logins on this many distinct accounts in the window. @default 10 */
  readonly minAccounts?: number;
  /** Sliding window length. @default minutes(15) */
  readonly within?: DurationMs;
}

/** `credential-stuffing` (threshold, by IP, high): failed logins from one IP on >= minAccounts accounts within `within`. */
export function credentialStuffing(params: CredentialStuffingParams = {}): ThresholdRule {
  const who = identity(params, 'credential-stuffing', 'high', ['fraud', 'login']);
  const minAccounts = count(who.id, 'minAccounts', params.minAccounts ?? DEFAULTS.credentialStuffing.minAccounts);
  const within = positive(who.id, 'within', params.within ?? DEFAULTS.credentialStuffing.within) as DurationMs;
  return built(threshold({
    ...who,
    description: `failed logins from one IP on >= ${minAccounts} distinct accounts within ${within / 60_000} min`,
    key: byIp,
    on: 'login',
    where: (e) => !e.success,
    window: sliding(within),
    measures: (m) => ({ accounts: m.distinct((e) => e.account), attempts: m.count() }),
    when: (a) => a.accounts >= minAccounts,
    message: (a, _ctx, ip) => `IP ${ip} failed ${a.attempts} logins on ${a.accounts} accounts within ${within / 60_000} min`,
  }), 'credentialStuffing', params);
}
