// Impossible travel: two successful logins on one account from countries on different
// continents within an hour: nobody flies that fast; a stolen credential does.
import { sequence } from 'cepheus';
import { continentOf, differentContinents } from './lib/geo.ts';
import { byAccount } from './lib/keys.ts';
import { PARAMS } from './lib/params.ts';

const P = PARAMS.impossibleTravel;

export default sequence({
  id: 'impossible-travel',
  version: 1,
  severity: 'high',
  description: `successful logins from two continents within ${P.within / 60_000} min`,
  tags: ['fraud', 'login'],
  key: byAccount,
  within: P.within,
  skip: 'skip-past-last-event',
  pattern: (p) => p
    .begin('from', 'login', (e) => e.success)
    .followedBy('to', 'login', (e, m) => e.success && differentContinents(m.from.country, e.country)),
  message: (m, _ctx, key) =>
    `${key}: login from ${m.from.country} (${continentOf(m.from.country)}) then ${m.to.country} (${continentOf(m.to.country)}) ${Math.round((m.to.ts - m.from.ts) / 60_000)} min later`,
});
