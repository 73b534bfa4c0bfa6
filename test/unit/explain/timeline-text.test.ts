// Explain's timeline as text, asserted whole on the guide's examples: a sequence with
// skip-overlapping (completion, suppression, discard), a trailing absence (pending, killed,
// decided at the deadline), a correlation (candidates, no set, used up) and a sliding
// threshold (window, where, when).
import { describe, expect, it } from 'vitest';
import { explain } from '../../../src/core/explain/explain.ts';
import type { AnyRule } from '../../../src/core/rule-types.ts';
import type { AnyEvent } from '../../../src/events/types.ts';
import { explanationText } from '../../../src/explain/timeline-text.ts';

async function timeline(example: string, ruleId: string): Promise<string> {
  const mod = (await import(`../../../docs/examples/${example}.ts`)) as { default?: AnyRule; rules?: AnyRule[]; sample: AnyEvent[] };
  const rules = mod.rules ?? [mod.default as AnyRule];
  return explanationText(explain(rules, mod.sample, { ruleId, key: 'A1' }), rules.find((r) => r.id === ruleId) as AnyRule);
}

describe('explain timeline text', () => {
  it('tells round-trip-skip-overlapping (docs/examples/round-trips.ts) whole', async () => {
    expect(await timeline('round-trips', 'round-trip-skip-overlapping')).toBe([
      'round-trip-skip-overlapping at key A1',
      '  sequence within 1 min, skip skip-overlapping',
      '  steps: open: trade -> close: trade',
      '',
      '1970-01-01T00:00:01.000Z  trade b1',
      '  opened #1 at open',
      '1970-01-01T00:00:02.000Z  trade b2',
      '  #1 did not take it, waits for close — close: no (e.side = "BUY", m.open.side = "BUY")',
      '  opened #2 at open',
      '1970-01-01T00:00:03.000Z  trade b3',
      '  #1 did not take it, waits for close — close: no (e.side = "BUY", m.open.side = "BUY")',
      '  #2 did not take it, waits for close — close: no (e.side = "BUY", m.open.side = "BUY")',
      '  opened #3 at open',
      '1970-01-01T00:00:04.000Z  trade s1',
      '  #1 took it into close (1) — close: yes (e.side = "SELL", m.open.side = "BUY", e.instrument = "X", m.open.instrument = "X")',
      '  #1 completed',
      '  #2 took it into close (1) — close: yes (e.side = "SELL", m.open.side = "BUY", e.instrument = "X", m.open.instrument = "X")',
      '  #2 completed',
      '  #3 did not take it, waits for close — close: no (e.side = "SELL", m.open.side = "BUY", e.instrument = "X", m.open.instrument = "Y")',
      '  opened #4 at open',
      '  ALERT al_a5c2d626ad3dc9fbb753b7c4a7344829 from #1: round-trip-skip-overlapping: a trade, then the opposite trade on the same instrument within 60 s (key A1)',
      '  #2 completed too, not emitted (skip-overlapping)',
      '  #4 discarded (skip-overlapping)',
      '1970-01-01T00:00:05.000Z  trade s2',
      '  #3 took it into close (1) — close: yes (e.side = "SELL", m.open.side = "BUY", e.instrument = "Y", m.open.instrument = "Y")',
      '  #3 completed',
      '  opened #5 at open',
      '  ALERT al_e143a6445213f4e9ad44596673611600 from #3: round-trip-skip-overlapping: a trade, then the opposite trade on the same instrument within 60 s (key A1)',
      '  #5 discarded (skip-overlapping)',
      '',
      'state at the end (watermark 1970-01-01T00:00:05.000Z):',
      '  no partial match',
      '  context: null',
      '',
    ].join('\n'));
  });

  it('tells stale-large-order (docs/examples/no-confirmation.ts) whole', async () => {
    expect(await timeline('no-confirmation', 'stale-large-order')).toBe([
      'stale-large-order at key A1',
      '  sequence within 10 min, skip no-skip',
      '  steps: placed: order -> not closed: order',
      '',
      '1970-01-01T00:00:00.000Z  order n1',
      '  opened #1 at placed — placed: yes (e.action = "NEW", e.qty = 80000)',
      '  #1 waits until 1970-01-01T00:10:00.000Z for no closed',
      '1970-01-01T00:01:00.000Z  order n2',
      '  #1 still waits: not a closed — not closed: no (e.orderId = "o2", m.placed.orderId = "o1")',
      '  opened #2 at placed — placed: yes (e.action = "NEW", e.qty = 60000)',
      '  #2 waits until 1970-01-01T00:11:00.000Z for no closed',
      '1970-01-01T00:03:00.000Z  order c2',
      '  #1 still waits: not a closed — not closed: no (e.orderId = "o2", m.placed.orderId = "o1")',
      '  #2 killed: it is a closed before the deadline — not closed: yes (e.orderId = "o2", m.placed.orderId = "o2", e.action = "CANCEL")',
      '  opened nothing — placed: no (e.action = "CANCEL")',
      '1970-01-01T00:10:00.000Z  deadline',
      '  ALERT al_782b6f8b0ac17929263c83fdc33336bf from #1: order o1 for 80000 still open after 10 min',
      '1970-01-01T00:20:00.000Z  order n3',
      '  opened nothing — placed: no (e.action = "NEW", e.qty = 100)',
      '',
      'state at the end (watermark 1970-01-01T00:20:00.000Z):',
      '  no partial match',
      '  context: null',
      '',
    ].join('\n'));
  });

  it('tells foreign-login-and-payout (docs/examples/login-and-transfer.ts) whole', async () => {
    expect(await timeline('login-and-transfer', 'foreign-login-and-payout')).toBe([
      'foreign-login-and-payout at key A1',
      '  correlation within 15 min, order any, skip skip-past-last-event',
      '  roles: login: login, payout: transfer',
      '',
      '1970-01-01T00:00:00.000Z  transfer t1',
      '  a candidate for payout — payout: yes (e.direction = "OUT")',
      '  no set as payout: no usable login candidate',
      '1970-01-01T00:05:00.000Z  login l1',
      '  a candidate for login — login: yes (e.success = true, e.country = "BR")',
      '  ALERT al_93c9ac69a0fd44eb70c2051e993ddc74: login from BR and 900 out',
      '  used up: t1 l1',
      '1970-01-01T00:40:00.000Z  login l2',
      '  a candidate for login — login: yes (e.success = true, e.country = "BR")',
      '  no set as login: no usable payout candidate',
      '1970-01-01T01:10:00.000Z  transfer t2',
      '  a candidate for payout — payout: yes (e.direction = "OUT")',
      '  no set as payout: no usable login candidate',
      '',
      'state at the end (watermark 1970-01-01T01:10:00.000Z):',
      '  login: no candidate',
      '  payout: t2',
      '  context: null',
      '',
    ].join('\n'));
  });

  it('tells many-small-transfers (docs/examples/many-small-transfers.ts) whole', async () => {
    expect(await timeline('many-small-transfers', 'many-small-transfers')).toBe([
      'many-small-transfers at key A1',
      '  threshold on transfer, sliding(1 h), skip skip-past-last-event',
      '  measures: n, total, payees, sd',
      '',
      '1970-01-01T00:00:00.000Z  transfer a',
      '  window [1969-12-31T23:00:00.001Z, 1970-01-01T00:00:00.001Z): 1 event(s) a (n = 1, total = 400, payees = 1, sd = 0) — where: yes (e.direction = "OUT", e.amount = 400)',
      '  decided: no alert — when: no (a.n = 1)',
      '1970-01-01T00:10:00.000Z  transfer b',
      '  window [1969-12-31T23:10:00.001Z, 1970-01-01T00:10:00.001Z): 2 event(s) a b (n = 2, total = 850, payees = 2, sd = 25) — where: yes (e.direction = "OUT", e.amount = 450)',
      '  decided: no alert — when: no (a.n = 2)',
      '1970-01-01T00:15:00.000Z  transfer big',
      '  not counted — where: no (e.direction = "OUT", e.amount = 5000)',
      '1970-01-01T00:20:00.000Z  transfer c',
      '  window [1969-12-31T23:20:00.001Z, 1970-01-01T00:20:00.001Z): 3 event(s) a b c (n = 3, total = 1350, payees = 3, sd = 40.824829046386306) — where: yes (e.direction = "OUT", e.amount = 500)',
      '  decided: no alert — when: no (a.n = 3)',
      '1970-01-01T00:30:00.000Z  transfer d',
      '  window [1969-12-31T23:30:00.001Z, 1970-01-01T00:30:00.001Z): 4 event(s) a b c d (n = 4, total = 1900, payees = 3, sd = 55.90169943749474) — where: yes (e.direction = "OUT", e.amount = 550)',
      '  decided: fires, its events are used up — when: yes (a.n = 4, a.payees = 3)',
      '  ALERT al_cc32d87a758134ce8f319b56b95d8b3c: 4 small transfers (1900 total) to 3 payees',
      '',
      'state at the end (watermark 1970-01-01T00:30:00.000Z):',
      '  no open window',
      '  context: null',
      '',
    ].join('\n'));
  });
});
