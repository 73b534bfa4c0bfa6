// Planted login-side scenarios: account takeover, brute force, credential stuffing and
// impossible travel, each with its near misses (same story, one parameter short of firing).
import { SCENARIO_PARAMS, continentOf } from '../scenario-params.ts';
import { HOUR } from '../calendar.ts';
import { iban } from '../world.ts';
import type { Device } from '../world.ts';
import type { PlantedAccount, ScenarioKit, ScenarioLabel } from './scenario-kit.ts';

const MIN = 60_000;
const SEC = 1_000;
const ATTACKER_COUNTRIES = ['RU', 'NG', 'BR', 'VN', 'RO', 'ID', 'CN', 'UA'] as const;
const ATTACKER_UAS = ['python-requests/2.32.3', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36', 'curl/8.5.0'] as const;

function attackerDevice(kit: ScenarioKit): Device {
  const d = kit.device();
  return kit.rng.chance(0.5) ? d : { id: d.id, userAgent: kit.rng.pick(ATTACKER_UAS) };
}

/** A day or two of ordinary history: the account's usual device becomes a known device. */
function history(kit: ScenarioKit, a: PlantedAccount, at: number): void {
  kit.homeLogin(a, at - kit.rng.intIn(26, 70) * HOUR);
  kit.transfer(at - kit.rng.intIn(20, 25) * HOUR, a, 'IN', kit.rng.range(20_000, 80_000), a.payee, 'WIRE', 'Salary', true);
}

export function accountTakeover(kit: ScenarioKit, at: number, variant: string, id: string): ScenarioLabel {
  const P = SCENARIO_PARAMS.accountTakeover;
  const rng = kit.rng;
  const a = kit.account();
  history(kit, a, at);
  const knownDevice = variant === 'known-device';
  const ip = knownDevice ? a.ip : kit.ip();
  const device = knownDevice ? a.device : attackerDevice(kit);
  const country = knownDevice ? a.homeCountry : rng.pick(ATTACKER_COUNTRIES);
  const n = variant === 'positive' ? rng.intIn(P.minFailures, P.minFailures + 2) : P.minFailures;
  let t = at;
  for (let i = 0; i < n; i++) {
    kit.login(t, a.id, false, 'BAD_PASSWORD', ip, device, country);
    t += rng.intIn(15 * SEC, 80 * SEC);
  }
  t += rng.intIn(20 * SEC, 120 * SEC);
  kit.login(t, a.id, true, null, ip, device, country);
  t = variant === 'late-cashout' ? at + 45 * MIN + rng.intIn(0, 60 * SEC) : t + rng.intIn(2 * MIN, 12 * MIN);
  const amount = Math.round(rng.range(P.minCashout * 1.2, P.minCashout * 4.8));
  const to = knownDevice ? a.payee : { iban: iban(rng, country), country };
  const cashout = kit.transfer(t, a, 'OUT', amount, to, knownDevice ? 'WIRE' : rng.pick(['WIRE', 'CRYPTO'] as const), null);
  const minutesAfter = Math.round((t - at) / MIN);
  const description = {
    'positive': `${n} failed logins from ${ip}, success from new device ${device.id}, ${amount} ${a.currency} OUT ${minutesAfter} min after the first failure`,
    'known-device': `${n} failed logins, success from the account's own device ${device.id}, ${amount} OUT: the owner mistyped`,
    'late-cashout': `${n} failed logins, success from new device ${device.id}, but the ${amount} OUT comes ${minutesAfter} min after the first failure (> ${P.within / MIN} min)`,
  }[variant] ?? variant;
  return kit.finish({ id, rule: 'account-takeover', kind: variant === 'positive' ? 'positive' : 'near-miss', variant, key: a.id, description }, variant === 'positive' ? cashout : null);
}

export function bruteForce(kit: ScenarioKit, at: number, variant: string, id: string): ScenarioLabel {
  const P = SCENARIO_PARAMS.bruteForce;
  const rng = kit.rng;
  const a = kit.account();
  history(kit, a, at);
  const positive = variant === 'positive';
  const n = positive ? rng.intIn(P.minFailures + 1, P.minFailures + 4) : P.minFailures - 2;
  // Positives fit in 8 min; the near miss spreads 6 failures over 6–9 min.
  const span = positive ? rng.intIn(4 * MIN, 8 * MIN) : rng.intIn(6 * MIN, 9 * MIN);
  const ips = [kit.ip(), kit.ip()];
  const device = attackerDevice(kit);
  const country = rng.pick(ATTACKER_COUNTRIES);
  let completing = null;
  for (let i = 0; i < n; i++) {
    const t = at + Math.round((span * i) / (n - 1));
    const e = kit.login(t, a.id, false, i < 5 ? 'BAD_PASSWORD' : 'LOCKED', ips[i % 3 === 2 ? 1 : 0] as string, device, country);
    if (i === P.minFailures - 1) completing = e;
  }
  const description = positive
    ? `${n} failed logins within ${Math.round(span / SEC)} s from 2 IPs`
    : `${n} failed logins within ${Math.round(span / SEC)} s (< ${P.minFailures})`;
  return kit.finish({ id, rule: 'brute-force', kind: positive ? 'positive' : 'near-miss', variant, key: a.id, description }, positive ? completing : null);
}

export function credentialStuffing(kit: ScenarioKit, at: number, variant: string, id: string): ScenarioLabel {
  const P = SCENARIO_PARAMS.credentialStuffing;
  const rng = kit.rng;
  const positive = variant === 'positive';
  const n = positive ? rng.intIn(P.minAccounts + 1, P.minAccounts + 4) : P.minAccounts - 3;
  const ip = kit.ip();
  const device = attackerDevice(kit);
  const country = rng.pick(ATTACKER_COUNTRIES);
  let t = at;
  let completing = null;
  for (let i = 0; i < n; i++) {
    const victim = kit.account();
    const e = kit.login(t, victim.id, false, rng.chance(0.25) ? 'UNKNOWN_USER' : 'BAD_PASSWORD', ip, device, country);
    if (i === P.minAccounts - 1) completing = e;
    t += rng.intIn(20 * SEC, 55 * SEC);
  }
  const description = positive ? `one IP fails logins on ${n} distinct accounts within ${Math.ceil((t - at) / MIN)} min` : `one IP fails logins on only ${n} accounts (< ${P.minAccounts})`;
  return kit.finish({ id, rule: 'credential-stuffing', kind: positive ? 'positive' : 'near-miss', variant, key: ip, description }, positive ? completing : null);
}

const FAR_COUNTRIES = ['SG', 'JP', 'BR', 'AU', 'ZA', 'US', 'AE', 'IN', 'GB', 'DE'] as const;
const NEIGHBOURS = [['FR', 'DE'], ['GB', 'IE'], ['US', 'CA'], ['ES', 'PT'], ['NL', 'BE'], ['DE', 'AT'], ['SG', 'MY']] as const;

export function impossibleTravel(kit: ScenarioKit, at: number, variant: string, id: string): ScenarioLabel {
  const P = SCENARIO_PARAMS.impossibleTravel;
  const rng = kit.rng;
  const pair = rng.pick(NEIGHBOURS);
  const a = kit.account(variant === 'same-continent' ? pair[0] : undefined);
  kit.homeLogin(a, at - rng.intIn(26, 70) * HOUR);
  kit.homeLogin(a, at, true);
  const far = rng.pick(FAR_COUNTRIES.filter((c) => continentOf(c) !== continentOf(a.homeCountry)));
  const country = variant === 'same-continent' ? pair[1] : far;
  const gap = variant === '6h-apart' ? 6 * HOUR + rng.intIn(-10 * MIN, 10 * MIN) : rng.intIn(15 * MIN, 50 * MIN);
  const second = kit.login(at + gap, a.id, true, null, kit.ip(), kit.device(), country);
  const mins = Math.round(gap / MIN);
  const description = {
    'positive': `logins from ${a.homeCountry} (${continentOf(a.homeCountry)}) then ${country} (${continentOf(country)}) ${mins} min apart`,
    'same-continent': `logins from neighbours ${a.homeCountry} then ${country}, same continent, ${mins} min apart`,
    '6h-apart': `logins from ${a.homeCountry} then ${country}, different continents but ${mins} min apart (> ${P.within / MIN})`,
  }[variant] ?? variant;
  return kit.finish({ id, rule: 'impossible-travel', kind: variant === 'positive' ? 'positive' : 'near-miss', variant, key: a.id, description }, variant === 'positive' ? second : null);
}
