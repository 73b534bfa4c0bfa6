// State queries through the shard rounds (what the service's state routes ask): after a
// prefix of the fixture on one stream, a key's state for a rule, with any shard count, is what
// `cepheus explain --no-flush` says for the same prefix (and, once the input is flushed,
// what explain says with the flush); the key's recent late events are those the shards saw;
// a context comes from the owning shard.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain } from '../../../src/core/explain/explain.ts';
import type { AnyRule } from '../../../src/core/rule-types.ts';
import type { AnyEvent } from '../../../src/events/types.ts';
import { EVENT_KINDS } from '../../../src/events/types.ts';
import type { EventKind } from '../../../src/events/types.ts';
import { encodeConfluentValue } from '../../../src/io/confluent-frame.ts';
import { readEventsStrict } from '../../../src/io/read-events.ts';
import { loadRules } from '../../../src/rules/load-rules.ts';
import { Rounds } from '../../../src/workers/rounds.ts';
import { roundsOf } from '../../../src/workers/rounds-of.ts';
import { InProcessShards } from '../../../src/workers/shard-pool.ts';

const ids = Object.fromEntries(EVENT_KINDS.map((k, i) => [k, i + 1])) as Record<EventKind, number>;
/** Up to just before account-takeover/positive-1's cash-out; it holds four late events. */
const PREFIX = 15_501;
const OPTIONS = { outOfOrdernessMs: 5000 };
const KEYS = [['account-takeover', 'AC8514803'], ['impossible-travel', 'AC8514803'], ['brute-force', 'AC7409475'], ['structuring', 'AC5848825'], ['credential-stuffing', '91.218.248.243']] as const;
let rules: AnyRule[];
const events: AnyEvent[] = [];
const open: Rounds[] = [];

beforeAll(async () => {
  rules = (await loadRules()).map((l) => l.rule);
  for await (const e of readEventsStrict('fixtures/default.avro')) {
    if (events.length === PREFIX) break;
    events.push(e);
  }
});
afterAll(async () => {
  await Promise.all(open.map((r) => r.close()));
});

async function through(shards: number): Promise<Rounds> {
  const rounds = await Rounds.start({
    backend: new InProcessShards(shards), maxInFlight: 4,
    init: {
      rules: [], engine: OPTIONS, kindsByTopic: [['f', EVENT_KINDS]], restore: [],
      streams: [{ topic: 'f', partition: 0, format: 'confluent', schemaId: 0, maxTs: -Infinity, active: true }],
      schemas: EVENT_KINDS.map((kind) => ({ id: ids[kind], schema: null, kind })),
    },
  });
  open.push(rounds);
  for (const parts of roundsOf(events.map((e) => encodeConfluentValue(e, ids[e.kind])), () => 0, 700)) await rounds.submit(parts);
  return rounds;
}

const explained = (ruleId: string, key: string, end: 'hold' | 'flush') => explain(rules, events, { ruleId, key, engine: OPTIONS, end }).state;

describe('state queries through the shard rounds', () => {
  it.each([1, 3])('answer what explain says for the same prefix, live and after a flush (%i shards)', async (shards) => {
    const rounds = await through(shards);
    for (const [ruleId, key] of KEYS) expect((await rounds.state(ruleId, key))?.view).toEqual(explained(ruleId, key, 'hold'));
    rounds.requestFlush();
    await rounds.submit([]);
    for (const [ruleId, key] of KEYS) expect((await rounds.state(ruleId, key))?.view).toEqual(explained(ruleId, key, 'flush'));
  });

  it('report the late events of a key and its context, and nothing for an unknown rule or context', async () => {
    const rounds = await through(3);
    const late = events.find((e) => e.id === 'ev-c4e53d8d07d0') as AnyEvent;
    expect((await rounds.state('brute-force', 'AC7409475'))?.recent).toEqual({ late: [{ event: late, watermark: 1767715494800 }], overflow: [] });
    expect(await rounds.context('AC8514803', 'account')).toEqual({
      contextId: 'account', keySpace: 'account', key: 'AC8514803', lastSeen: 1769038111591,
      value: { knownDevices: ['dev-ff8df332fdc23b7e', 'dev-1a9147a834d0686e'], countries: ['ES', 'RO'], lastLoginTs: 1769038111591, lastActivityTs: 1769038111591, tradeCount: 0, ewmaNotional: 0 },
    });
    expect([await rounds.state('nope', 'AC1'), await rounds.context('AC1', 'nope')]).toEqual([null, null]);
  });
});
