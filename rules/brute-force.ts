// Brute force on one account: many failed logins in a short sliding window.
import { sliding, threshold } from 'cepheus';
import { byAccount } from './lib/keys.ts';
import { PARAMS } from './lib/params.ts';

const P = PARAMS.bruteForce;

export default threshold({
  id: 'brute-force',
  version: 1,
  severity: 'high',
  description: `>= ${P.minFailures} failed logins on one account within ${P.window / 60_000} min`,
  tags: ['fraud', 'login'],
  key: byAccount,
  on: 'login',
  where: (e) => !e.success,
  window: sliding(P.window),
  measures: (m) => ({ failures: m.count(), ips: m.distinct((e) => e.ip) }),
  when: (a) => a.failures >= P.minFailures,
  message: (a, _ctx, key) => `${a.failures} failed logins on ${key} from ${a.ips} IP(s) within ${P.window / 60_000} min`,
});
