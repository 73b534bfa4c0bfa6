// Planted money-movement scenarios: structuring and dormant-account drain, with near misses.
import { HOUR } from '../calendar.ts';
import { iban } from '../world.ts';
import { SCENARIO_PARAMS } from '../scenario-params.ts';
import type { Transfer } from '../../events/types.ts';
import type { ScenarioKit, ScenarioLabel } from './scenario-kit.ts';

const MIN = 60_000;
const DAY = 24 * HOUR;

export function structuring(kit: ScenarioKit, at: number, variant: string, id: string): ScenarioLabel {
  const P = SCENARIO_PARAMS.structuring;
  const rng = kit.rng;
  const a = kit.account();
  kit.transfer(at - rng.intIn(20, 40) * HOUR, a, 'IN', rng.range(40_000, 90_000), a.payee, 'WIRE', 'Property sale', true);
  const positive = variant === 'positive';
  const n = variant === 'two' ? P.minTransfers - 1 : positive ? rng.intIn(P.minTransfers, P.minTransfers + 1) : P.minTransfers;
  let t = at;
  let completing: Transfer | null = null;
  for (let i = 0; i < n; i++) {
    kit.homeLogin(a, t - rng.intIn(1, 5) * MIN);
    const amount = variant === 'under-band' ? Math.round(rng.range(4_800, 5_200)) : Math.round(rng.range(P.low + 50, P.high - 10));
    const to = { iban: iban(rng, a.homeCountry), country: a.homeCountry };
    const e = kit.transfer(t, a, 'OUT', amount, to, a.currency === 'EUR' ? 'SEPA' : 'WIRE', rng.chance(0.5) ? null : `Payment ${i + 1}`);
    if (i === P.minTransfers - 1) completing = e;
    t += rng.intIn(2 * HOUR, 7 * HOUR);
  }
  const description = {
    'positive': `${n} OUT transfers in [${P.low}, ${P.high}) to different beneficiaries within 24 h`,
    'two': `only ${n} OUT transfers in [${P.low}, ${P.high}) within 24 h`,
    'under-band': `${n} OUT transfers of about 5,000 within 24 h, below the band`,
  }[variant] ?? variant;
  return kit.finish({ id, rule: 'structuring', kind: positive ? 'positive' : 'near-miss', variant, key: a.id, description }, positive ? completing : null);
}

/** Splits `total` into `n` amounts, none inside the structuring band. */
function split(kit: ScenarioKit, total: number, n: number): number[] {
  const P = SCENARIO_PARAMS.structuring;
  const w = Array.from({ length: n }, () => kit.rng.range(0.6, 1.4));
  const s = w.reduce((x, y) => x + y, 0);
  return w.map((x) => {
    const v = Math.round((total * x) / s);
    return v >= P.low && v < P.high ? v + 1_500 : v;
  });
}

export function dormantDrain(kit: ScenarioKit, at: number, variant: string, id: string): ScenarioLabel {
  const P = SCENARIO_PARAMS.dormantDrain;
  const rng = kit.rng;
  const a = kit.account();
  const positive = variant === 'positive';
  const idle = positive ? rng.intIn(P.dormancy / DAY + 1, P.dormancy / DAY + 3) * DAY + rng.int(10 * HOUR) : rng.intIn(10, 11) * DAY;
  const last = at - idle;
  kit.homeLogin(a, last - rng.intIn(5, 30) * MIN);
  kit.transfer(last, a, 'IN', rng.range(30_000, 80_000), a.payee, 'WIRE', 'Savings', true);
  kit.homeLogin(a, at, true);
  const total = rng.range(P.minDrain * 1.1, P.minDrain * 2.2);
  const amounts = split(kit, total, rng.intIn(2, 3));
  let t = at;
  let sum = 0;
  let completing: Transfer | null = null;
  for (const amount of amounts) {
    t += rng.intIn(10 * MIN, 15 * HOUR);
    const country = rng.pick(['LT', 'CY', 'MT', 'AE', 'HK']);
    const e = kit.transfer(t, a, 'OUT', amount, { iban: iban(rng, country), country }, rng.pick(['WIRE', 'CRYPTO'] as const), null);
    sum += e.amount;
    if (completing === null && sum >= P.minDrain) completing = e;
  }
  const days = (idle / DAY).toFixed(1);
  const description = positive ? `idle ${days} days, a login, then ${Math.round(sum)} OUT in ${amounts.length} transfers within ${Math.round((t - at) / HOUR)} h` : `idle only ${days} days (< ${P.dormancy / DAY}), then ${Math.round(sum)} OUT`;
  return kit.finish({ id, rule: 'dormant-drain', kind: positive ? 'positive' : 'near-miss', variant, key: a.id, description }, positive ? completing : null);
}
