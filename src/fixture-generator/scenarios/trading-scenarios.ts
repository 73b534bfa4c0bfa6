// Planted market-abuse scenarios: large trade versus the account's EWMA, trade velocity,
// spoofing and wash trading, each with its near misses. All start in core market hours.
// Their trades are booked without order events (orderId null), except spoofing, whose
// pattern is made of orders.
import type { Order, Trade } from '../../events/types.ts';
import { DAY, HOUR, isWeekend } from '../calendar.ts';
import { round2 } from '../event-builders.ts';
import { SCENARIO_PARAMS } from '../scenario-params.ts';
import type { Instrument } from '../world.ts';
import type { ScenarioKit, ScenarioLabel } from './scenario-kit.ts';

const MIN = 60_000;
const SEC = 1_000;
const opposite = (s: Order['side']): Order['side'] => (s === 'BUY' ? 'SELL' : 'BUY');

function instrument(kit: ScenarioKit): Instrument {
  return kit.rng.pick(kit.instruments);
}

/** The `n` trading days before `at`, as day starts, oldest first. */
function tradingDaysBefore(at: number, n: number): number[] {
  const days: number[] = [];
  for (let d = Math.floor(at / DAY) * DAY - DAY; days.length < n; d -= DAY) if (!isWeekend(d)) days.unshift(d);
  return days;
}

export function largeTrade(kit: ScenarioKit, at: number, variant: string, id: string): ScenarioLabel {
  const P = SCENARIO_PARAMS.largeTrade;
  const rng = kit.rng;
  const a = kit.account();
  const ins = instrument(kit);
  const base = rng.range(2_000, 20_000);
  const price = ins.price0;
  const historyCount = P.minHistory + rng.intIn(3, 8);
  // History: five trading days of ordinary trades (context); the rule's EWMA is folded the same way.
  const days = tradingDaysBefore(at, 5);
  const times: number[] = [];
  for (let k = 0; k < historyCount; k++) times.push((days[k % 5] as number) + 9 * HOUR + rng.int(7 * HOUR));
  times.sort((x, y) => x - y);
  let ewma = 0;
  let count = 0;
  for (const t of times) {
    const qty = Math.max(1, Math.round((base * rng.range(0.8, 1.2)) / price));
    const tr = kit.trade(t, a.id, ins, rng.chance(0.5) ? 'BUY' : 'SELL', qty, price, null, null, true);
    ewma = count === 0 ? tr.notional : P.alpha * tr.notional + (1 - P.alpha) * ewma;
    count++;
  }
  const positive = variant === 'positive';
  const factor = positive ? rng.range(13, 20) : rng.range(3.6, 4.4);
  let qty = Math.ceil((factor * ewma) / price);
  if (positive) while (round2(qty * price) <= P.factor * ewma) qty++;
  const big: Trade = kit.trade(at, a.id, ins, rng.chance(0.5) ? 'BUY' : 'SELL', qty, price, null, null);
  const x = (big.notional / ewma).toFixed(1);
  const description = positive ? `trade of ${big.notional} = ${x}x the account's EWMA ${Math.round(ewma)} after ${count} trades` : `trade of ${big.notional} = only ${x}x the EWMA ${Math.round(ewma)} (< ${P.factor}x)`;
  return kit.finish({ id, rule: 'large-trade', kind: positive ? 'positive' : 'near-miss', variant, key: a.id, description }, positive ? big : null);
}

export function tradeVelocity(kit: ScenarioKit, at: number, variant: string, id: string): ScenarioLabel {
  const P = SCENARIO_PARAMS.tradeVelocity;
  const rng = kit.rng;
  const a = kit.account();
  kit.homeLogin(a, at - rng.intIn(1, 10) * MIN);
  const ins = [instrument(kit), instrument(kit)];
  const positive = variant === 'positive';
  const n = positive ? rng.intIn(P.minTrades + 2, P.minTrades + 10) : P.minTrades - 10;
  const span = positive ? rng.intIn(3 * MIN, 4 * MIN) : rng.intIn(4 * MIN, 4.5 * MIN);
  const notional = rng.range(1_000, 8_000);
  let completing = null;
  for (let i = 0; i < n; i++) {
    const x = ins[i % 2] as Instrument;
    const qty = Math.max(1, Math.round((notional * rng.range(0.8, 1.2)) / x.price0));
    const e = kit.trade(at + Math.round((span * i) / (n - 1)), a.id, x, rng.chance(0.5) ? 'BUY' : 'SELL', qty, x.price0, null, null);
    if (i === P.minTrades - 1) completing = e;
  }
  const description = positive ? `${n} trades within ${Math.round(span / SEC)} s` : `${n} trades within ${Math.round(span / SEC)} s (< ${P.minTrades})`;
  return kit.finish({ id, rule: 'trade-velocity', kind: positive ? 'positive' : 'near-miss', variant, key: a.id, description }, positive ? completing : null);
}

export function spoofing(kit: ScenarioKit, at: number, variant: string, id: string): ScenarioLabel {
  const P = SCENARIO_PARAMS.spoofing;
  const rng = kit.rng;
  const a = kit.account();
  kit.homeLogin(a, at - rng.intIn(2, 20) * MIN);
  const ins = instrument(kit);
  const px = ins.price0;
  const side: Order['side'] = rng.chance(0.5) ? 'BUY' : 'SELL';
  const away = side === 'BUY' ? -1 : 1;
  const k = rng.intIn(P.minLargeOrders, P.minLargeOrders + 2);
  let t = at;
  const layers: { id: string; qty: number; price: number }[] = [];
  for (let i = 0; i < k; i++) {
    const oid = kit.orderId();
    const qty = rng.intIn(12, 30) * 1_000;
    const price = round2(px * (1 + away * rng.range(0.002, 0.01)));
    kit.order(t, a.id, oid, 'NEW', 'LIMIT', ins, side, qty, price, 0);
    layers.push({ id: oid, qty, price });
    t += rng.intIn(2 * SEC, 8 * SEC);
  }
  // The real intent: a small order on the other side, filled against the pressure.
  const small = kit.orderId();
  const smallQty = rng.intIn(2, 10) * 100;
  const smallPx = round2(px * (1 - away * 0.001));
  kit.order(t, a.id, small, 'NEW', 'LIMIT', ins, opposite(side), smallQty, smallPx, 0);
  t += rng.intIn(1 * SEC, 4 * SEC);
  kit.order(t, a.id, small, 'FILL', 'LIMIT', ins, opposite(side), smallQty, smallPx, smallQty);
  const execution = kit.trade(t + rng.intIn(1, 40), a.id, ins, opposite(side), smallQty, smallPx, small, null);
  t = execution.ts + rng.intIn(1 * SEC, 5 * SEC);
  const positive = variant === 'positive';
  let completing = null;
  for (const [i, l] of layers.entries()) {
    if (positive) {
      const e = kit.order(t, a.id, l.id, 'CANCEL', 'LIMIT', ins, side, l.qty, l.price, 0);
      if (i === P.minLargeOrders - 1) completing = e;
    } else {
      kit.order(t, a.id, l.id, 'FILL', 'LIMIT', ins, side, l.qty, l.price, l.qty);
      kit.trade(t + rng.intIn(1, 40), a.id, ins, side, l.qty, l.price, l.id, null);
    }
    t += rng.intIn(1 * SEC, 4 * SEC);
  }
  const description = positive
    ? `${k} ${side} orders of >= 12,000, a ${opposite(side)} fill of ${smallQty}, then ${k} cancels within ${Math.round((t - at) / SEC)} s`
    : `${k} large ${side} orders and a ${opposite(side)} fill, but the large orders are filled, not cancelled`;
  return kit.finish({ id, rule: 'spoofing', kind: positive ? 'positive' : 'near-miss', variant, key: `${a.id}|${ins.id}`, description }, positive ? completing : null);
}

export function washTrading(kit: ScenarioKit, at: number, variant: string, id: string): ScenarioLabel {
  const P = SCENARIO_PARAMS.washTrading;
  const rng = kit.rng;
  const a = kit.account();
  const b = kit.account(a.homeCountry);
  kit.homeLogin(a, at - rng.intIn(2, 30) * MIN);
  kit.homeLogin(b, at - rng.intIn(2, 30) * MIN);
  const ins = instrument(kit);
  const qty = rng.intIn(5, 50) * 100;
  const price = round2(ins.price0 * rng.range(0.99, 1.01));
  const side: Trade['side'] = rng.chance(0.5) ? 'BUY' : 'SELL';
  kit.trade(at, a.id, ins, side, qty, price, null, b.id);
  const gap = variant === '30s-apart' ? 30 * SEC + rng.int(1_000) : rng.intIn(200, 4_000);
  const qty2 = variant === 'qty-differs' ? qty + rng.intIn(1, 5) * 100 : qty;
  const leg2 = kit.trade(at + gap, b.id, ins, side === 'BUY' ? 'SELL' : 'BUY', qty2, price, null, a.id);
  const description = {
    'positive': `${a.id} ${side} and ${b.id} the other side, ${qty} @ ${price}, ${gap} ms apart, naming each other`,
    'qty-differs': `opposite trades between ${a.id} and ${b.id} naming each other, but qty ${qty} vs ${qty2}`,
    '30s-apart': `matching opposite trades naming each other, but ${gap} ms apart (> ${P.within} ms)`,
  }[variant] ?? variant;
  return kit.finish({ id, rule: 'wash-trading', kind: variant === 'positive' ? 'positive' : 'near-miss', variant, key: ins.id, description }, variant === 'positive' ? leg2 : null);
}
