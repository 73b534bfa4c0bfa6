// `explain --expect` on the bundled fixture: every planted near miss of every bundled rule gets
// the reason it was planted with, in one sentence (fixtures/default.labels.json lists them),
// and two answers are asserted whole, evidence included.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { explain } from '../../../src/core/explain/explain.ts';
import { whyNot } from '../../../src/core/explain/expect.ts';
import type { AnyEvent } from '../../../src/events/types.ts';
import { explainOutput, sourceOf } from '../../../src/explain/run-explain.ts';
import { reasonText } from '../../../src/explain/verdict-text.ts';
import { readEvents } from '../../../src/io/read-events.ts';
import { loadRules } from '../../../src/rules/load-rules.ts';
import type { LoadedRule } from '../../../src/rules/load-rules.ts';

const FIXTURE = 'fixtures/default.avro';
interface Scenario { readonly id: string; readonly rule: string; readonly kind: string; readonly key: string; readonly eventIds: readonly string[] }
const labels = JSON.parse(readFileSync('fixtures/default.labels.json', 'utf8')) as { scenarios: Scenario[] };
const nearMisses = labels.scenarios.filter((s) => s.kind === 'near-miss');

const events: AnyEvent[] = [];
let loaded: LoadedRule[] = [];
beforeAll(async () => {
  loaded = await loadRules();
  for await (const item of readEvents(FIXTURE)) if ('event' in item) events.push(item.event);
});

/** What `cepheus explain fixtures/default.avro --rule <r> --key <k> --expect <ids>` prints. */
function answer(s: Scenario): { text: string; sentence: string } {
  const rules = loaded.map((l) => l.rule);
  const x = explain(rules, events, { ruleId: s.rule, key: s.key, engine: { outOfOrdernessMs: 5000 } });
  const verdict = whyNot(x, s.eventIds);
  const l = loaded.find((r) => r.rule.id === s.rule) as LoadedRule;
  return { text: explainOutput({ explanation: x, verdict, rule: l.rule, source: sourceOf(l), inputErrors: 0 }, false), sentence: reasonText(verdict.reason, x) };
}

const SENTENCES: Record<string, string> = {
  'account-takeover/near-miss-known-device-1':
    'ev-cad7e3c007c7 (login at 2026-02-03T02:24:36.136Z) did not extend #1 (failures ev-2fcc0a128523 ev-6660f026bd07 ev-3f6802754534), which waited for failures or takeover: failures was false (it read e.success = true); takeover was false (it read e.success = true, e.device = "dev-ede845b0a66f3590", ctx.knownDevices = ["dev-ede845b0a66f3590"]).',
  'account-takeover/near-miss-known-device-2':
    'ev-43605c1d0494 (login at 2026-02-07T21:34:12.257Z) did not extend #1 (failures ev-67fcaa85da5c ev-244823a636d1 ev-0b4707483709), which waited for failures or takeover: failures was false (it read e.success = true); takeover was false (it read e.success = true, e.device = "dev-b4ce6c9926632518", ctx.knownDevices = ["dev-b4ce6c9926632518"]).',
  'account-takeover/near-miss-late-cashout-1':
    'ev-c803b66a575e (transfer at 2026-01-10T18:28:37.628Z) came after #1 (failures ev-4281c38a7151 ev-4281a1eeb63d ev-06ad268cabd0, takeover ev-295c53267435) expired: its deadline 2026-01-10T18:13:11.601Z (first event + within) had passed.',
  'account-takeover/near-miss-late-cashout-2':
    'ev-a07c0ab4abdf (transfer at 2026-01-25T10:20:35.702Z) came after #1 (failures ev-2840c515535c ev-15a397a20d52 ev-19930a22019f, takeover ev-1bf9c02777e7) expired: its deadline 2026-01-25T10:05:13.865Z (first event + within) had passed.',
  'brute-force/near-miss-six-in-ten-minutes-1':
    'With all of them in the window at ev-7af75c4b9f51 (login at 2026-02-07T13:02:32.139Z) (6 event(s): failures = 6, ips = 2), when was false (it read a.failures = 6).',
  'brute-force/near-miss-six-in-ten-minutes-2':
    'With all of them in the window at ev-d1e6bab40386 (login at 2026-02-01T04:26:49.518Z) (6 event(s): failures = 6, ips = 2), when was false (it read a.failures = 6).',
  'credential-stuffing/near-miss-seven-accounts-1':
    'With all of them in the window at ev-4cf133034295 (login at 2026-02-09T06:14:57.288Z) (7 event(s): accounts = 7, attempts = 7), when was false (it read a.accounts = 7).',
  'credential-stuffing/near-miss-seven-accounts-2':
    'With all of them in the window at ev-ab02fefd7650 (login at 2026-01-31T11:23:44.121Z) (7 event(s): accounts = 7, attempts = 7), when was false (it read a.accounts = 7).',
  'impossible-travel/near-miss-same-continent-1':
    'ev-f67bd789acd2 (login at 2026-01-15T16:36:11.678Z) did not extend #2 (from ev-01b2079d72b8), which waited for to: to was false (it read e.success = true, m.from.country = "SG", e.country = "MY").',
  'impossible-travel/near-miss-same-continent-2':
    'ev-179277f25465 (login at 2026-02-08T15:43:48.651Z) did not extend #2 (from ev-2981852e5606), which waited for to: to was false (it read e.success = true, m.from.country = "US", e.country = "CA").',
  'impossible-travel/near-miss-6h-apart-1':
    'ev-fc4033177909 (login at 2026-02-05T01:25:00.305Z) came after #2 (from ev-03430b333bcd) expired: its deadline 2026-02-04T20:23:18.851Z (first event + within) had passed.',
  'impossible-travel/near-miss-6h-apart-2':
    'ev-4f455f9493e5 (login at 2026-01-22T01:57:45.759Z) came after #2 (from ev-960cb76a5398) expired: its deadline 2026-01-21T21:04:41.955Z (first event + within) had passed.',
  'large-trade/near-miss-4x-1':
    'The first of them, ev-acda918425b7 (trade at 2026-01-29T12:53:00.252Z), opened no partial match: trade was false (it read ctx.tradeCount = 25, e.notional = 83510.46, ctx.ewmaNotional = 19253.453891470414).',
  'large-trade/near-miss-4x-2':
    'The first of them, ev-a4feaf8eaefb (trade at 2026-02-09T10:47:18.609Z), opened no partial match: trade was false (it read ctx.tradeCount = 26, e.notional = 74628.81, ctx.ewmaNotional = 18538.604738155416).',
  'trade-velocity/near-miss-twenty-in-five-minutes-1':
    'With all of them in the window at ev-313d7dddefff (trade at 2026-01-23T10:58:00.979Z) (20 event(s): trades = 20, notional = 58739.55999999999, instruments = 2), when was false (it read a.trades = 20).',
  'trade-velocity/near-miss-twenty-in-five-minutes-2':
    'With all of them in the window at ev-e4e3323f22a2 (trade at 2026-01-19T10:56:56.536Z) (20 event(s): trades = 20, notional = 40251.04000000001, instruments = 2), when was false (it read a.trades = 20).',
  'spoofing/near-miss-filled-1':
    'ev-5f2b38eabe97 (order at 2026-01-19T12:01:13.489Z) did not extend #1 (layer ev-4e3278b278dd, more ev-2cc2b8dadae7 ev-c13a5ed88c45, execution ev-d1e552e3c4bb), which waited for cancels: cancels was false (it read e.action = "FILL").',
  'spoofing/near-miss-filled-2':
    'ev-a193960fe507 (order at 2026-01-26T13:41:55.901Z) did not extend #1 (layer ev-2e00e0269130, more ev-1220e9249832 ev-85811d365139 ev-2878ca42ef9a, execution ev-cb7d461f1f1a), which waited for cancels: cancels was false (it read e.action = "FILL").',
  'wash-trading/near-miss-qty-differs-1':
    'ev-de308142a8ca (trade at 2026-02-03T12:20:18.765Z) did not extend #1 (leg1 ev-70be31ce425d), which waited for leg2: leg2 was false (it read e.side = "SELL", m.leg1.side = "BUY", e.qty = 2700, m.leg1.qty = 2200).',
  'wash-trading/near-miss-qty-differs-2':
    'ev-fd600973e8c4 (trade at 2026-02-02T09:54:10.814Z) did not extend #1 (leg1 ev-2ee5db65cd83), which waited for leg2: leg2 was false (it read e.side = "BUY", m.leg1.side = "SELL", e.qty = 2700, m.leg1.qty = 2200).',
  'wash-trading/near-miss-30s-apart-1':
    'ev-8efe93b38c3f (trade at 2026-01-26T11:24:02.915Z) came after #1 (leg1 ev-2eafd3458181) expired: its deadline 2026-01-26T11:23:37.370Z (first event + within) had passed.',
  'wash-trading/near-miss-30s-apart-2':
    'ev-2d97a53013be (trade at 2026-02-09T10:10:57.747Z) came after #3 (leg1 ev-c331d96b0ade) expired: its deadline 2026-02-09T10:10:32.520Z (first event + within) had passed.',
  'structuring/near-miss-two-1':
    'With all of them in the window at ev-1252b9ae2a35 (transfer at 2026-01-17T01:27:52.504Z) (2 event(s): transfers = 2, total = 19002, beneficiaries = 2), when was false (it read a.transfers = 2).',
  'structuring/near-miss-two-2':
    'With all of them in the window at ev-c4fb04e018e5 (transfer at 2026-01-26T04:03:54.769Z) (2 event(s): transfers = 2, total = 18735, beneficiaries = 2), when was false (it read a.transfers = 2).',
  'structuring/near-miss-under-band-1':
    'ev-f2d8f060bdc9 (transfer at 2026-02-03T16:37:01.358Z) was not counted: where was false (it read e.direction = "OUT", e.amount = 4809).',
  'structuring/near-miss-under-band-2':
    'ev-f5bcf27165f1 (transfer at 2026-01-29T17:09:08.413Z) was not counted: where was false (it read e.direction = "OUT", e.amount = 5015).',
  'dormant-drain/near-miss-dormant-10d-1':
    'The first of them, ev-4e7d06c69a42 (login at 2026-01-27T07:57:15.359Z), opened no partial match: wake was false (it read e.success = true, ctx.lastActivityTs = 1768550235359, e.ts = 1769500635359).',
  'dormant-drain/near-miss-dormant-10d-2':
    'The first of them, ev-8864ff7d2634 (login at 2026-02-05T05:49:37.880Z), opened no partial match: wake was false (it read e.success = true, ctx.lastActivityTs = 1769320177880, e.ts = 1770270577880).',
};

describe('explain --expect on the planted near misses of fixtures/default.avro', () => {
  it('covers every bundled rule', () => {
    expect([...new Set(nearMisses.map((s) => s.rule))].sort()).toEqual(loaded.map((l) => l.rule.id).sort());
    expect(nearMisses.map((s) => s.id)).toEqual(Object.keys(SENTENCES));
  });

  it.each(nearMisses.map((s) => [s.id, s] as const))('gives %s its reason', (id, s) => {
    expect(answer(s).sentence).toBe(SENTENCES[id]);
  });

  it('answers account-takeover/near-miss-known-device-1 whole', () => {
    expect(answer(nearMisses.find((s) => s.id === 'account-takeover/near-miss-known-device-1') as Scenario).text).toBe([
      'account-takeover at key AC0621164 (rules/account-takeover.ts:6)',
      '  sequence within 30 min, skip skip-past-last-event',
      '  steps: failures: login times(3, 20) -> takeover: login -> cashout: transfer',
      '',
      'Why ev-2fcc0a128523 ev-6660f026bd07 ev-3f6802754534 ev-cad7e3c007c7 ev-f7cb25f227a1 raised no alert:',
      'ev-cad7e3c007c7 (login at 2026-02-03T02:24:36.136Z) did not extend #1 (failures ev-2fcc0a128523 ev-6660f026bd07 ev-3f6802754534), which waited for failures or takeover: failures was false (it read e.success = true); takeover was false (it read e.success = true, e.device = "dev-ede845b0a66f3590", ctx.knownDevices = ["dev-ede845b0a66f3590"]).',
      '',
      'evidence:',
      '  2026-02-03T02:22:47.663Z  login ev-2fcc0a128523',
      '    opened #1 at failures — failures: yes (e.success = false)',
      '  2026-02-03T02:23:10.875Z  login ev-6660f026bd07',
      '    #1 took it into failures (2) — failures: yes (e.success = false)',
      '    opened #2 at failures — failures: yes (e.success = false)',
      '  2026-02-03T02:23:32.615Z  login ev-3f6802754534',
      '    #1 took it into failures (3) — failures: yes (e.success = false)',
      '    #2 took it into failures (2) — failures: yes (e.success = false)',
      '    opened #3 at failures — failures: yes (e.success = false)',
      '  2026-02-03T02:24:36.136Z  login ev-cad7e3c007c7',
      '    #1 did not take it, waits for failures or takeover — failures: no (e.success = true); takeover: no (e.success = true, e.device = "dev-ede845b0a66f3590", ctx.knownDevices = ["dev-ede845b0a66f3590"])',
      '    #2 did not take it, waits for failures — failures: no (e.success = true)',
      '    #3 did not take it, waits for failures — failures: no (e.success = true)',
      '    opened nothing — failures: no (e.success = true)',
      '  2026-02-03T02:33:32.674Z  transfer ev-f7cb25f227a1',
      '    no partial match waits for a transfer, and it opens none',
      '',
    ].join('\n'));
  });

  it('answers spoofing/near-miss-filled-1 whole', () => {
    expect(answer(nearMisses.find((s) => s.id === 'spoofing/near-miss-filled-1') as Scenario).text).toBe([
      'spoofing at key AC2230485|FR13BOT4T6D3 (rules/spoofing.ts:6)',
      '  sequence within 2 min, skip skip-past-last-event',
      '  steps: layer: order -> more: order times(2, 20) -> execution: trade -> cancels: order times(3)',
      '',
      'Why ev-4e3278b278dd ev-2cc2b8dadae7 ev-c13a5ed88c45 ev-549a2c8d6b11 ev-16c3eae47bd1 ev-d1e552e3c4bb ev-5f2b38eabe97 ev-ae1657f8c101 ev-e033dd4b07c0 ev-21e92816dd92 ev-209cf3a1bc29 ev-f12f4cc56cfe raised no alert:',
      'ev-5f2b38eabe97 (order at 2026-01-19T12:01:13.489Z) did not extend #1 (layer ev-4e3278b278dd, more ev-2cc2b8dadae7 ev-c13a5ed88c45, execution ev-d1e552e3c4bb), which waited for cancels: cancels was false (it read e.action = "FILL").',
      '',
      'evidence:',
      '  2026-01-19T12:00:49.662Z  order ev-4e3278b278dd',
      '    opened #1 at layer — layer: yes (e.action = "NEW", e.qty = 19000)',
      '  2026-01-19T12:00:55.939Z  order ev-2cc2b8dadae7',
      '    #1 took it into more (1) — more: yes (e.action = "NEW", e.qty = 28000, e.side = "SELL", m.layer.side = "SELL")',
      '    opened #2 at layer — layer: yes (e.action = "NEW", e.qty = 28000)',
      '  2026-01-19T12:00:58.946Z  order ev-c13a5ed88c45',
      '    #1 took it into more (2) — more: yes (e.action = "NEW", e.qty = 18000, e.side = "SELL", m.layer.side = "SELL")',
      '    #2 took it into more (1) — more: yes (e.action = "NEW", e.qty = 18000, e.side = "SELL", m.layer.side = "SELL")',
      '    opened #3 at layer — layer: yes (e.action = "NEW", e.qty = 18000)',
      '  2026-01-19T12:01:06.264Z  order ev-549a2c8d6b11',
      '    #1 did not take it, waits for more or execution — more: no (e.action = "NEW", e.qty = 500)',
      '    #2 did not take it, waits for more — more: no (e.action = "NEW", e.qty = 500)',
      '    #3 did not take it, waits for more — more: no (e.action = "NEW", e.qty = 500)',
      '    opened nothing — layer: no (e.action = "NEW", e.qty = 500)',
      '  2026-01-19T12:01:10.046Z  order ev-16c3eae47bd1',
      '    #1 did not take it, waits for more or execution — more: no (e.action = "FILL")',
      '    #2 did not take it, waits for more — more: no (e.action = "FILL")',
      '    #3 did not take it, waits for more — more: no (e.action = "FILL")',
      '    opened nothing — layer: no (e.action = "FILL")',
      '  2026-01-19T12:01:10.060Z  trade ev-d1e552e3c4bb',
      '    #1 took it into execution (1) — execution: yes (e.side = "BUY", m.layer.side = "SELL")',
      '  2026-01-19T12:01:13.489Z  order ev-5f2b38eabe97',
      '    #1 did not take it, waits for cancels — cancels: no (e.action = "FILL")',
      '    #2 did not take it, waits for more — more: no (e.action = "FILL")',
      '    #3 did not take it, waits for more — more: no (e.action = "FILL")',
      '    opened nothing — layer: no (e.action = "FILL")',
      '  2026-01-19T12:01:13.510Z  trade ev-ae1657f8c101',
      '    no partial match waits for a trade, and it opens none',
      '  2026-01-19T12:01:16.102Z  order ev-e033dd4b07c0',
      '    #1 did not take it, waits for cancels — cancels: no (e.action = "FILL")',
      '    #2 did not take it, waits for more — more: no (e.action = "FILL")',
      '    #3 did not take it, waits for more — more: no (e.action = "FILL")',
      '    opened nothing — layer: no (e.action = "FILL")',
      '  2026-01-19T12:01:16.105Z  trade ev-21e92816dd92',
      '    no partial match waits for a trade, and it opens none',
      '  2026-01-19T12:01:17.403Z  order ev-209cf3a1bc29',
      '    #1 did not take it, waits for cancels — cancels: no (e.action = "FILL")',
      '    #2 did not take it, waits for more — more: no (e.action = "FILL")',
      '    #3 did not take it, waits for more — more: no (e.action = "FILL")',
      '    opened nothing — layer: no (e.action = "FILL")',
      '  2026-01-19T12:01:17.442Z  trade ev-f12f4cc56cfe',
      '    no partial match waits for a trade, and it opens none',
      '',
    ].join('\n'));
  });

});
