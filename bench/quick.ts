import { loadRules } from '../src/rules/load-rules.ts';
import { createEngine } from '../src/core/engine.ts';
import { login, trade, transfer, order } from '../src/testing.ts';
import type { AnyEvent } from '../src/events/types.ts';

const rules = (await loadRules()).map((l) => l.rule);
const N = Number(process.argv[2] ?? 300_000);
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const events: AnyEvent[] = [];
let ts = 1_767_571_200_000;
for (let i = 0; i < N; i++) {
  ts += Math.floor(rnd() * 20);
  const acct = `A${Math.floor(rnd() * 5000)}`;
  const r = rnd();
  const id = `e${i}`;
  if (r < 0.2) events.push(login(id, ts, { account: acct, success: rnd() > 0.05, device: `d${Math.floor(rnd() * 3)}`, ip: `10.0.${Math.floor(rnd()*200)}.1`, country: rnd() > 0.99 ? 'US' : 'GB' }));
  else if (r < 0.5) events.push(trade(id, ts, { account: acct, instrument: `I${Math.floor(rnd() * 60)}`, notional: 1000 + rnd() * 5000, side: rnd() > 0.5 ? 'BUY' : 'SELL' }));
  else if (r < 0.85) events.push(order(id, ts, { account: acct, instrument: `I${Math.floor(rnd() * 60)}`, orderId: `o${i}`, qty: 100 + rnd() * 1000 }));
  else events.push(transfer(id, ts, { account: acct, amount: 100 + rnd() * 3000, direction: rnd() > 0.5 ? 'OUT' : 'IN' }));
}
for (let round = 0; round < 3; round++) {
  const engine = createEngine(rules, { outOfOrdernessMs: 5000 });
  const t0 = performance.now();
  let alerts = 0;
  for (let i = 0; i < events.length; i++) {
    engine.push(events[i] as AnyEvent);
    if ((i & 1023) === 0) for (const f of engine.drain()) if (f.kind === 'alert') alerts++;
  }
  engine.flush();
  for (const f of engine.drain()) if (f.kind === 'alert') alerts++;
  const dt = performance.now() - t0;
  console.log(`round ${round}: ${N} events in ${dt.toFixed(0)} ms = ${Math.round(N / dt * 1000)} ev/s, alerts ${alerts}, keys ${engine.stats().keys}`);
}
