// Impossible travel: two successful logins on one account from countries on different
// continents within an hour: nobody flies that fast; a stolen credential does.
import { sequence } from 'cepheus';
import type { DurationMs, SequenceRule } from 'cepheus';
import { DEFAULTS } from './defaults.ts';
import type { RuleIdentity } from './defaults.ts';
import { continentOf, differentContinents } from './geo.ts';
import { byAccount } from './keys.ts';
import { built, identity, positive } from './params.ts';

export interface ImpossibleTravelParams extends RuleIdentity {
  /** Two logins from different continents closer than this raise an alert. @default minutes(60) */
  readonly within?: DurationMs;
}

/** `impossible-travel` (sequence, by account, high): successful login → successful login on another continent (COUNTRY_CONTINENT), within `within`. */
export function impossibleTravel(params: ImpossibleTravelParams = {}): SequenceRule {
  const who = identity(params, 'impossible-travel', 'high', ['fraud', 'login']);
  const within = positive(who.id, 'within', params.within ?? DEFAULTS.impossibleTravel.within) as DurationMs;
  return built(sequence({
    ...who,
    description: `successful logins from two continents within ${within / 60_000} min`,
    key: byAccount,
    within,
    skip: 'skip-past-last-event',
    pattern: (p) => p
      .begin('from', 'login', (e) => e.success)
      .followedBy('to', 'login', (e, m) => e.success && differentContinents(m.from.country, e.country)),
    message: (m, _ctx, key) =>
      `${key}: login from ${m.from.country} (${continentOf(m.from.country)}) then ${m.to.country} (${continentOf(m.to.country)}) ${Math.round((m.to.ts - m.from.ts) / 60_000)} min later`,
  }), 'impossibleTravel', params);
}
