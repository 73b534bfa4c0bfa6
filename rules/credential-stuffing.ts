// Credential stuffing: one IP failing logins across many distinct accounts.
import { sliding, threshold } from 'cepheus';
import { byIp } from './lib/keys.ts';
import { PARAMS } from './lib/params.ts';

const P = PARAMS.credentialStuffing;

export default threshold({
  id: 'credential-stuffing',
  version: 1,
  severity: 'high',
  description: `failed logins from one IP on >= ${P.minAccounts} distinct accounts within ${P.window / 60_000} min`,
  tags: ['fraud', 'login'],
  key: byIp,
  on: 'login',
  where: (e) => !e.success,
  window: sliding(P.window),
  measures: (m) => ({ accounts: m.distinct((e) => e.account), attempts: m.count() }),
  when: (a) => a.accounts >= P.minAccounts,
  message: (a, _ctx, ip) => `IP ${ip} failed ${a.attempts} logins on ${a.accounts} accounts within ${P.window / 60_000} min`,
});
