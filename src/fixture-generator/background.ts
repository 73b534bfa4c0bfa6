// Background activity: sessions of ordinary customers, hour by hour. A session is a login
// (sometimes after a typo or two), then trading (orders with their lifecycle and the trades
// of their fills), a transfer or two, or just a look at the portfolio; money also arrives on
// its own. Each account's sessions never overlap, so the per-account guards below see that
// account's events in time order. The guards keep background clear of every planted pattern,
// with margin (SCENARIO_PARAMS thresholds → background limits):
//   brute force / ATO        ≥3 (8) failures → at most 2 failures per account in any 35 min
//   credential stuffing      ≥10 accounts/IP → IPs are per account, offices shared by ≤ 4
//   impossible travel        2 continents < 60 min → a continent change needs ≥ 2 h
//   large trade              > 10× EWMA → notional ≤ 4× the account's EWMA
//   trade velocity           ≥ 30 / 5 min → at most 12 trades per account in any 5 min
//   spoofing                 qty ≥ 10,000 → order qty ≤ 5,000
//   wash trading             counterparties named → background trades name none
//   structuring              3 OUT in [9k, 10k) / 24 h → at most 1 such transfer per 26 h
//   dormant drain            ≥ 20k OUT after 30 idle days → after 18 idle days OUT ≤ 10k in 49 h
import type { AnyEvent, Order } from '../events/types.ts';
import { continentOf } from './scenario-params.ts';
import { SCENARIO_PARAMS as P } from './scenario-params.ts';
import { isMarketOpen } from './calendar.ts';
import { login, order, round2, trade, transfer } from './event-builders.ts';
import type { IdSource } from './ids.ts';
import type { Market } from './market.ts';
import type { Prng } from './prng.ts';
import { newDevice, roamingIp } from './world.ts';
import type { AccountProfile, Device, Instrument } from './world.ts';

/** Upper bound of events in one session (2 typos + login + 6 orders × 6 events). */
export const MAX_SESSION_EVENTS = 40;

const MIN = 60_000;
const FAIL_WINDOW = 35 * MIN;
const VELOCITY_WINDOW = P.tradeVelocity.window;
const MAX_TRADES_PER_WINDOW = 12;
const MAX_QTY = P.spoofing.largeQty / 2;
const MAX_EWMA_FACTOR = 4;
const TRAVEL_GAP = 2 * 60 * MIN;
const BAND_GAP = P.structuring.window + 2 * 60 * MIN;
const DORMANT_GUARD = P.dormantDrain.dormancy * 0.6;
const DRAIN_GUARD_SPAN = P.dormantDrain.within + 60 * MIN;

/** Mutable per-account state of the background process. */
class AccountState {
  busyUntil = 0;
  lastActivity = -1;
  failTimes: number[] = [];
  lastSuccessTs = -Infinity;
  lastSuccessCountry: string;
  tradeTimes: number[] = [];
  tradeCount = 0;
  ewma = 0;
  lastBandOut = -Infinity;
  drainCapUntil = -Infinity;
  drainLeft = 0;
  devices: Device[];
  constructor(a: AccountProfile) {
    this.lastSuccessCountry = a.homeCountry;
    this.devices = [...a.devices];
  }
}

const TRAVEL_COUNTRIES = ['FR', 'DE', 'ES', 'IT', 'PT', 'GR', 'CH', 'AT', 'NL', 'US', 'CA', 'MX', 'JP', 'SG', 'TH', 'AE', 'AU', 'BR', 'ZA'] as const;
const REFERENCES = ['Rent', 'Invoice', 'Savings', 'Tuition', 'Card repayment', 'Gift', 'Holiday', 'Tax'] as const;

export class Background {
  private readonly accounts: readonly AccountProfile[];
  private readonly states: AccountState[];
  private readonly cumWeights: Float64Array;
  private readonly instruments: readonly Instrument[];
  private readonly market: Market;
  private readonly rng: Prng;
  private readonly ids: IdSource;
  private readonly orderIds: IdSource;
  private out: AnyEvent[] = [];
  /** Scales the idle time between an account's sessions: 1 at ordinary density, down to 0.05
   *  when many events are asked of few accounts, so sessions never pile up past the timeline. */
  private readonly gapScale: number;

  constructor(accounts: readonly AccountProfile[], instruments: readonly Instrument[], market: Market, rng: Prng, ids: IdSource, orderIds: IdSource,
    eventsPerAccountHour: number) {
    this.gapScale = Math.min(1, Math.max(0.05, 0.5 / Math.max(eventsPerAccountHour, 1e-9)));
    this.accounts = accounts;
    this.states = accounts.map((a) => new AccountState(a));
    this.instruments = instruments;
    this.market = market;
    this.rng = rng;
    this.ids = ids;
    this.orderIds = orderIds;
    this.cumWeights = new Float64Array(accounts.length);
    let s = 0;
    accounts.forEach((a, i) => {
      s += a.weight;
      this.cumWeights[i] = s;
    });
  }

  private pickAccount(): number {
    const total = this.cumWeights[this.cumWeights.length - 1] as number;
    const x = this.rng.next() * total;
    let lo = 0;
    let hi = this.cumWeights.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.cumWeights[mid] as number) > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /**
   * One session starting in [hourStart, hourStart + 1 h) (later if its account is still busy),
   * as events in per-account time order. `single` asks for a one-event session, so the caller
   * can hit an exact total.
   */
  session(hourStart: number, single: boolean): AnyEvent[] {
    this.out = [];
    let idx = this.pickAccount();
    let start = hourStart + this.rng.int(3_600_000);
    for (let tries = 0; tries < 8 && (this.states[idx] as AccountState).busyUntil > start; tries++) {
      idx = this.pickAccount();
      start = hourStart + this.rng.int(3_600_000);
    }
    if ((this.states[idx] as AccountState).busyUntil > hourStart + 3_600_000) idx = this.leastBusy();
    const a = this.accounts[idx] as AccountProfile;
    const s = this.states[idx] as AccountState;
    start = Math.max(start, s.busyUntil);
    // Waking after a long silence: cap what leaves the account for the next two days.
    if (s.lastActivity >= 0 && start - s.lastActivity >= DORMANT_GUARD) {
      s.drainCapUntil = start + DRAIN_GUARD_SPAN;
      s.drainLeft = P.dormantDrain.minDrain / 2;
    }
    const r = this.rng.next();
    if (single) {
      if (r < 0.5) this.incoming(a, start);
      else this.login(a, s, start, false);
    } else if (r < 0.08) {
      this.incoming(a, start);
    } else {
      const t = this.login(a, s, start, true);
      if (isMarketOpen(t) && this.rng.chance(a.tradeProb)) this.trading(a, s, t);
      else if (this.rng.chance(a.transferProb)) this.transfers(a, s, t);
    }
    // Busy until the session's last event; a resting order's later CANCEL may overlap the
    // next session (no guard depends on cancels).
    let end = start;
    let last = start;
    for (const e of this.out) {
      if (e.ts > last) last = e.ts;
      if (e.ts > end && !(e.kind === 'order' && e.action === 'CANCEL')) end = e.ts;
    }
    s.lastActivity = last;
    s.busyUntil = end + Math.round(this.rng.intIn(2, 40) * MIN * this.gapScale);
    return this.out;
  }

  /** Saturation fallback: the account free soonest (linear scan, rare). */
  private leastBusy(): number {
    let best = 0;
    for (let i = 1; i < this.states.length; i++) if ((this.states[i] as AccountState).busyUntil < (this.states[best] as AccountState).busyUntil) best = i;
    return best;
  }

  /** A login, maybe after typos; returns the time of the successful login. */
  private login(a: AccountProfile, s: AccountState, t0: number, typos: boolean): number {
    const rng = this.rng;
    let device = rng.chance(0.7) ? (s.devices[0] as Device) : rng.pick(s.devices);
    let ip = rng.chance(0.8) ? (a.ips[0] as string) : rng.pick(a.ips);
    let country = a.homeCountry;
    if (rng.chance(0.03)) {
      // Travelling: same continent or far away, but never two continents within 2 h.
      const c = rng.chance(0.6) ? rng.pick(TRAVEL_COUNTRIES.filter((x) => continentOf(x) === continentOf(a.homeCountry))) : rng.pick(TRAVEL_COUNTRIES);
      country = c;
      ip = roamingIp(rng);
    }
    if (continentOf(country) !== continentOf(s.lastSuccessCountry) && t0 - s.lastSuccessTs < TRAVEL_GAP) {
      country = s.lastSuccessCountry;
    }
    let t = t0;
    if (typos) {
      const want = rng.chance(0.06) ? (rng.chance(0.15) ? 2 : 1) : 0;
      for (let i = 0; i < want; i++) {
        s.failTimes = s.failTimes.filter((x) => x > t - FAIL_WINDOW);
        if (s.failTimes.length >= 2) break;
        s.failTimes.push(t);
        this.out.push(login(this.ids.next(), t, a.id, false, rng.chance(0.85) ? 'BAD_PASSWORD' : 'BAD_MFA', ip, device.id, country, device.userAgent));
        t += rng.intIn(4_000, 40_000);
      }
      if (rng.chance(0.004) && s.devices.length < 5) {
        // A new phone or laptop, now and then.
        device = newDevice(rng);
        s.devices.push(device);
      }
    }
    this.out.push(login(this.ids.next(), t, a.id, true, null, ip, device.id, country, device.userAgent));
    s.lastSuccessTs = t;
    s.lastSuccessCountry = country;
    return t;
  }

  private incoming(a: AccountProfile, t: number): void {
    const amount = round2(Math.min(150_000, Math.max(20, this.rng.logNormal(a.inMedian, 0.8))));
    const from = this.rng.chance(0.7) ? a.employer : this.rng.pick(a.payees);
    this.out.push(transfer(this.ids.next(), t, a.id, 'IN', amount, a.currency, from.iban, from.country, this.channel(a, amount),
      from === a.employer ? 'Salary' : this.reference()));
  }

  private channel(a: AccountProfile, amount: number): 'WIRE' | 'ACH' | 'SEPA' | 'CARD' | 'CRYPTO' {
    const r = this.rng.next();
    if (r < 0.01) return 'CRYPTO';
    if (amount < 300 && r < 0.3) return 'CARD';
    if (amount > 50_000) return 'WIRE';
    if (a.currency === 'EUR') return 'SEPA';
    if (a.currency === 'USD') return 'ACH';
    return 'WIRE';
  }

  private reference(): string | null {
    const r = this.rng.next();
    if (r < 0.4) return null;
    if (r < 0.7) return `INV-${this.rng.intIn(1000, 99999)}`;
    return this.rng.pick(REFERENCES);
  }

  private transfers(a: AccountProfile, s: AccountState, t0: number): void {
    const rng = this.rng;
    const n = rng.chance(0.2) ? 2 : 1;
    let t = t0;
    for (let i = 0; i < n; i++) {
      t += rng.intIn(20_000, 300_000);
      if (rng.chance(0.45)) {
        this.incoming(a, t);
        continue;
      }
      let amount = round2(Math.min(150_000, Math.max(10, rng.logNormal(a.outMedian, 1.1))));
      if (amount >= P.structuring.low && amount < P.structuring.high) {
        if (t - s.lastBandOut < BAND_GAP) amount = round2(amount * rng.range(0.6, 0.88));
        else s.lastBandOut = t;
      }
      if (t < s.drainCapUntil) {
        if (amount > s.drainLeft) amount = round2(s.drainLeft * rng.range(0.1, 0.6));
        if (amount < 10) continue;
        s.drainLeft -= amount;
      }
      const to = rng.pick(a.payees);
      this.out.push(transfer(this.ids.next(), t, a.id, 'OUT', amount, a.currency, to.iban, to.country, this.channel(a, amount), this.reference()));
    }
  }

  private trading(a: AccountProfile, s: AccountState, t0: number): void {
    const rng = this.rng;
    const n = Math.min(6, 1 + rng.poisson(1.2));
    let t = t0;
    for (let k = 0; k < n; k++) {
      t += rng.intIn(15_000, 150_000);
      this.orderLifecycle(a, s, t);
    }
  }

  private orderLifecycle(a: AccountProfile, s: AccountState, t: number): void {
    const rng = this.rng;
    const ii = rng.pick(a.instruments);
    const ins = this.instruments[ii] as Instrument;
    const venue = rng.pick(ins.venues);
    const px = this.market.priceAt(ii, t);
    const side: Order['side'] = rng.chance(0.52) ? 'BUY' : 'SELL';
    const type: Order['orderType'] = rng.chance(0.8) ? 'LIMIT' : 'MARKET';
    let notional = a.baseNotional * rng.logNormal(1, 0.45);
    if (s.tradeCount > 0) notional = Math.min(notional, MAX_EWMA_FACTOR * s.ewma);
    let qty = Math.max(1, Math.min(MAX_QTY, Math.round(notional / px)));
    if (qty > 200) qty = Math.round(qty / 10) * 10;
    let limit = type === 'LIMIT' ? round2(px * (1 + (side === 'BUY' ? -1 : 1) * rng.range(0, 0.004))) : 0;
    const oid = this.orderIds.next();
    const cur = ins.currency;
    this.out.push(order(this.ids.next(), t, a.id, oid, 'NEW', type, ins.id, side, qty, limit, 0, cur, venue));
    let at = t;
    if (type === 'LIMIT' && rng.chance(0.15)) {
      at += rng.intIn(5_000, 90_000);
      limit = round2((limit + px) / 2);
      if (rng.chance(0.3)) qty = Math.max(1, Math.min(MAX_QTY, Math.round(qty * rng.range(0.5, 1.5))));
      this.out.push(order(this.ids.next(), at, a.id, oid, 'AMEND', type, ins.id, side, qty, limit, 0, cur, venue));
    }
    const fills = type === 'MARKET' || rng.chance(0.65);
    const fillAt = at + (type === 'MARKET' ? rng.intIn(50, 1_500) : rng.intIn(2_000, 400_000));
    s.tradeTimes = s.tradeTimes.filter((x) => x > fillAt - VELOCITY_WINDOW - 120_000);
    if (!fills || s.tradeTimes.length + 2 > MAX_TRADES_PER_WINDOW) {
      this.out.push(order(this.ids.next(), at + rng.intIn(20_000, 900_000), a.id, oid, 'CANCEL', type, ins.id, side, qty, limit, 0, cur, venue));
      return;
    }
    const parts = qty >= 20 && rng.chance(0.2) ? [Math.round(qty * rng.range(0.3, 0.7))] : [];
    parts.push(qty - parts.reduce((x, y) => x + y, 0));
    let filled = 0;
    let ft = fillAt;
    for (const q of parts) {
      filled += q;
      const fillPx = type === 'MARKET' ? round2(this.market.priceAt(ii, ft) * (1 + rng.range(-0.0005, 0.0005))) : limit;
      this.out.push(order(this.ids.next(), ft, a.id, oid, 'FILL', type, ins.id, side, qty, limit, filled, cur, venue));
      const tt = ft + rng.intIn(1, 40);
      const tr = trade(this.ids.next(), tt, a.id, ins.id, side, q, fillPx, cur, venue, oid, null);
      this.out.push(tr);
      s.tradeTimes.push(tt);
      s.ewma = s.tradeCount === 0 ? tr.notional : P.largeTrade.alpha * tr.notional + (1 - P.largeTrade.alpha) * s.ewma;
      s.tradeCount++;
      ft += rng.intIn(1_000, 60_000);
    }
  }
}

