// Brute-force references of every bundled rule's pattern, written from the scenario
// catalogue (SCENARIO_PARAMS) and independent of the engine: simple loops over the events in
// time order. They say which (rule, key) pairs show the pattern anywhere in a stream.
import type { AnyEvent, Login, Order, Trade, Transfer } from '../../../src/events/types.ts';
import { SCENARIO_PARAMS as P, differentContinents } from '../../../src/fixture-generator/scenario-params.ts';

export interface Hit {
  readonly rule: string;
  readonly key: string;
}

function groupBy<T>(items: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of items) {
    const k = key(x);
    const list = m.get(k);
    if (list === undefined) m.set(k, [x]);
    else list.push(x);
  }
  return m;
}

/** Is there a window of `span` ms holding at least `n` of the (sorted) times? */
function dense(times: readonly number[], n: number, span: number): boolean {
  for (let i = 0; i + n - 1 < times.length; i++) if ((times[i + n - 1] as number) - (times[i] as number) <= span) return true;
  return false;
}

export function referenceHits(stream: readonly AnyEvent[]): Hit[] {
  const events = [...stream].sort((a, b) => a.ts - b.ts);
  const hits: Hit[] = [];
  const logins = events.filter((e): e is Login => e.kind === 'login');
  const trades = events.filter((e): e is Trade => e.kind === 'trade');
  const orders = events.filter((e): e is Order => e.kind === 'order');
  const byAccount = groupBy(events, (e) => e.account);

  for (const [account, evs] of byAccount) {
    const hit = (rule: string): void => {
      hits.push({ rule, key: account });
    };
    const ls = evs.filter((e): e is Login => e.kind === 'login');
    const ts = evs.filter((e): e is Trade => e.kind === 'trade');
    const outs = evs.filter((e): e is Transfer => e.kind === 'transfer' && e.direction === 'OUT');
    const fails = ls.filter((l) => !l.success).map((l) => l.ts as number);
    const oks = ls.filter((l) => l.success);

    // account-takeover: a success from a device unseen so far, ≥ 3 failures before it and a
    // large OUT after it, first failure to cash-out within the bound.
    const known = new Set<string>();
    let ato = false;
    for (const s of oks) {
      if (!known.has(s.device)) {
        ato ||= outs.some((t) => t.amount >= P.accountTakeover.minCashout && t.ts >= s.ts && t.ts - s.ts <= P.accountTakeover.within &&
          fails.filter((f) => f < s.ts && t.ts - f <= P.accountTakeover.within).length >= P.accountTakeover.minFailures);
      }
      known.add(s.device);
    }
    if (ato) hit('account-takeover');
    if (dense(fails, P.bruteForce.minFailures, P.bruteForce.window)) hit('brute-force');
    let travel = false;
    for (let i = 0; i < oks.length && !travel; i++) {
      const a = oks[i] as Login;
      for (let j = i + 1; j < oks.length && (oks[j] as Login).ts - a.ts <= P.impossibleTravel.within; j++) {
        if (differentContinents(a.country, (oks[j] as Login).country)) travel = true;
      }
    }
    if (travel) hit('impossible-travel');
    let ewma = 0;
    let large = false;
    ts.forEach((t, i) => {
      if (i >= P.largeTrade.minHistory && t.notional > P.largeTrade.factor * ewma) large = true;
      ewma = i === 0 ? t.notional : P.largeTrade.alpha * t.notional + (1 - P.largeTrade.alpha) * ewma;
    });
    if (large) hit('large-trade');
    if (dense(ts.map((t) => t.ts), P.tradeVelocity.minTrades, P.tradeVelocity.window)) hit('trade-velocity');
    const band = outs.filter((t) => t.amount >= P.structuring.low && t.amount < P.structuring.high).map((t) => t.ts as number);
    if (dense(band, P.structuring.minTransfers, P.structuring.window)) hit('structuring');
    const drained = evs.some((s, i) => {
      const prev = evs[i - 1];
      if (s.kind !== 'login' || !s.success || prev === undefined || s.ts - prev.ts < P.dormantDrain.dormancy) return false;
      return outs.filter((t) => t.ts >= s.ts && t.ts - s.ts <= P.dormantDrain.within).reduce((x, t) => x + t.amount, 0) >= P.dormantDrain.minDrain;
    });
    if (drained) hit('dormant-drain');
  }

  // credential-stuffing: distinct accounts failing from one IP within the window.
  for (const [ip, ls] of groupBy(logins.filter((l) => !l.success), (l) => l.ip)) {
    const found = ls.some((a, i) => new Set(ls.slice(i).filter((b) => b.ts - a.ts <= P.credentialStuffing.window).map((b) => b.account)).size >= P.credentialStuffing.minAccounts);
    if (found) hits.push({ rule: 'credential-stuffing', key: ip });
  }

  // spoofing: ≥ 3 large NEW on one side, an opposite trade, then ≥ 3 CANCELs of them, within 2 min.
  const tradesByAi = groupBy(trades, (t) => `${t.account}|${t.instrument}`);
  for (const [key, os] of groupBy(orders, (o) => `${o.account}|${o.instrument}`)) {
    const news = os.filter((o) => o.action === 'NEW' && o.qty >= P.spoofing.largeQty);
    const found = news.some((first) => {
      const layer = news.filter((o) => o.side === first.side && o.ts >= first.ts && o.ts - first.ts <= P.spoofing.within);
      if (layer.length < P.spoofing.minLargeOrders) return false;
      const lastNew = Math.max(...layer.map((o) => o.ts));
      const exec = (tradesByAi.get(key) ?? []).find((t) => t.side !== first.side && t.ts >= lastNew && t.ts - first.ts <= P.spoofing.within);
      if (exec === undefined) return false;
      const ids = new Set(layer.map((o) => o.orderId));
      return os.filter((o) => o.action === 'CANCEL' && ids.has(o.orderId) && o.ts >= exec.ts && o.ts - first.ts <= P.spoofing.within).length >= P.spoofing.minLargeOrders;
    });
    if (found) hits.push({ rule: 'spoofing', key });
  }

  // wash-trading: mirrored trades naming each other within 5 s.
  for (const [instrument, ts] of groupBy(trades.filter((t) => t.counterpartyAccount !== null), (t) => t.instrument)) {
    const found = ts.some((a) => ts.some((b) => b !== a && b.account === a.counterpartyAccount && b.counterpartyAccount === a.account &&
      b.side !== a.side && b.qty === a.qty && b.price === a.price && Math.abs(b.ts - a.ts) <= P.washTrading.within));
    if (found) hits.push({ rule: 'wash-trading', key: instrument });
  }
  return hits.sort((a, b) => a.rule.localeCompare(b.rule) || a.key.localeCompare(b.key));
}
