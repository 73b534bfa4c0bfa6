// The key budget, case by case (engine/keys.ts): which keys go, in what order, what is
// reported, what a returning key finds, how the budget splits over key groups and shards,
// and the options' checks.
import { describe, expect, it } from 'vitest';
import type { Effect } from '../../../../src/core/effects.ts';
import { CepError } from '../../../../src/core/errors.ts';
import { createEngine } from '../../../../src/core/engine/index.ts';
import type { EngineOptions } from '../../../../src/core/engine/index.ts';
import { keyGroupOf, shardOf } from '../../../../src/core/order.ts';
import { defineContext, keyBy, sequence, sliding, threshold } from '../../../../src/core/rule-api.ts';
import { ShardCore } from '../../../../src/core/shard-core.ts';
import { minutes, ms } from '../../../../src/events/time.ts';
import { login } from '../helpers.ts';

const byAccount = keyBy('account', { login: (e) => e.account });
const byIp = keyBy('ip', { login: (e) => e.ip });
/** An 'x' login opens a partial match for 10 minutes; a 'y' login completes it. */
const pairs = sequence({
  id: 'pairs', version: 1, severity: 'low', description: 'x then y', key: byAccount, within: minutes(10), skip: 'skip-past-last-event',
  pattern: (p) => p.begin('x', 'login', (e) => e.device === 'x').followedBy('y', 'login', (e) => e.device === 'y'),
});
const seen = defineContext({ id: 'seen', initial: () => ({ n: 0 }), fold: { login: (c) => ({ n: c.n + 1 }) } });
/** Alerts on every 'c' login with how many logins the account had before. */
const count = sequence({
  id: 'count', version: 1, severity: 'low', description: 'logins seen before', key: byAccount, context: seen, within: ms(1), skip: 'no-skip',
  pattern: (p) => p.begin('c', 'login', (e) => e.device === 'c'), message: (_m, ctx) => `seen ${ctx.n}`,
});
const perIp = threshold({
  id: 'per-ip', version: 1, severity: 'low', description: 'logins per IP', key: byIp, on: 'login', window: sliding(ms(1)), measures: (m) => ({ n: m.count() }), when: (a) => a.n >= 100,
});

/** What happened, in order: `evicted <space> @<at> idle [...] active [...]` or `alert <rule> <key> <message>`. */
function digest(effects: readonly Effect[]): string[] {
  return effects.flatMap((f) => {
    switch (f.kind) {
      case 'evicted': return [`evicted ${f.keySpace} @${f.at} idle [${f.idle.join(' ')}] active [${f.active.join(' ')}]`];
      case 'alert': return [`alert ${f.alert.ruleId} ${f.alert.key} ${f.alert.message}`];
      default: return [f.kind];
    }
  });
}

function logins(options: Partial<EngineOptions>, specs: readonly (readonly [string, string])[], rules = [pairs, count]): string[] {
  const engine = createEngine(rules, options);
  specs.forEach(([account, device], i) => engine.push(login(`e${i}`, 1000 * (i + 1), { account, device })));
  engine.flush();
  return digest(engine.drain());
}

describe('key budget', () => {
  it('evicts the least recently active idle key when a new key needs room, and reports it', () => {
    const engine = createEngine([pairs], { keyGroups: 1, maxKeys: 4 });
    ['A', 'B', 'C', 'D', 'A', 'E', 'F'].forEach((account, i) => engine.push(login(`e${i}`, 1000 * (i + 1), { account, device: 'z' })));
    engine.flush();
    expect(digest(engine.drain())).toEqual(['evicted account @6000 idle [B] active []', 'evicted account @7000 idle [C] active []']);
    expect(engine.stats().spaces).toEqual([{ name: 'account', keys: 4, maxKeys: 4, evictedIdle: 2, evictedActive: 0 }]);
    expect(engine.snapshot().spaces[0]?.keys.map((k) => k.key)).toEqual(['D', 'A', 'E', 'F']);
  });

  it('keeps a key holding a partial match while an idle key can go', () => {
    expect(logins({ keyGroups: 1, maxKeys: 4 }, [['A', 'x'], ['B', 'z'], ['C', 'z'], ['D', 'z'], ['E', 'z'], ['A', 'y']], [pairs]))
      .toEqual(['evicted account @5000 idle [B] active []', 'alert pairs A pairs: x then y (key A)']);
  });

  it('evicts active keys only when the group is mostly active, reported as active: their partial matches are lost', () => {
    expect(logins({ keyGroups: 1, maxKeys: 2 }, [['A', 'x'], ['B', 'x'], ['C', 'z'], ['A', 'y'], ['B', 'y']], [pairs])).toEqual([
      'evicted account @3000 idle [] active [A]', // A and B both hold a match: the least recently active goes
      'evicted account @4000 idle [C] active []', // B is active, C idle: C goes
      'alert pairs B pairs: x then y (key B)', // A's match was lost with it; B's was kept
    ]);
  });

  it('evicts a batch of a sixteenth of the group budget at a time', () => {
    const engine = createEngine([pairs], { keyGroups: 1, maxKeys: 32 });
    for (let i = 0; i < 34; i++) engine.push(login(`e${i}`, i, { account: `K${i}`, device: 'z' }));
    engine.flush();
    expect(digest(engine.drain())).toEqual(['evicted account @32 idle [K0 K1] active []']);
    expect(engine.stats().keys).toBe(32);
  });

  it('a key evicted and back starts afresh: its context is at the initial value again', () => {
    const specs = [['A', 'c'], ['B', 'c'], ['A', 'c']] as const;
    expect(logins({ maxKeys: Infinity }, specs)).toEqual(['alert count A seen 0', 'alert count B seen 0', 'alert count A seen 1']);
    expect(logins({ keyGroups: 1, maxKeys: 1 }, specs)).toEqual([
      'alert count A seen 0', 'evicted account @2000 idle [A] active []', 'alert count B seen 0', 'evicted account @3000 idle [B] active []', 'alert count A seen 0',
    ]);
  });

  it('keys past their TTL make room without being reported (they would start afresh anyway)', () => {
    const engine = createEngine([pairs], { keyGroups: 1, maxKeys: 2, idleKeyTtlMs: 50 });
    engine.push(login('a', 0, { account: 'A', device: 'z' }));
    engine.push(login('b', 70, { account: 'B', device: 'z' }));
    engine.push(login('c', 100, { account: 'C', device: 'z' }));
    engine.push(login('d', 110, { account: 'D', device: 'z' }));
    engine.flush();
    expect(digest(engine.drain())).toEqual(['evicted account @110 idle [B] active []']);
    expect(engine.stats().spaces).toEqual([{ name: 'account', keys: 2, maxKeys: 2, evictedIdle: 1, evictedActive: 0 }]);
  });

  it('sweeps and compact() never remove keys from a space with a budget (its evictions would depend on when they ran)', () => {
    const engine = createEngine([pairs], { keyGroups: 1, maxKeys: 10, idleKeyTtlMs: 50 });
    for (let i = 0; i < 3; i++) engine.push(login(`e${i}`, i, { account: `K${i}`, device: 'z' }));
    engine.advanceWatermark(1000);
    engine.compact();
    expect(engine.stats().keys).toBe(3);
  });

  it('a budget per key space, maxKeysBySpace over maxKeys', () => {
    const engine = createEngine([pairs, perIp], { keyGroups: 1, maxKeys: Infinity, maxKeysBySpace: { ip: 2 } });
    for (let i = 0; i < 6; i++) engine.push(login(`e${i}`, i, { account: `K${i}`, ip: `10.0.0.${i}`, device: 'z' }));
    engine.flush();
    expect(digest(engine.drain())).toEqual(['evicted ip @2 idle [10.0.0.0] active []', 'evicted ip @3 idle [10.0.0.1] active []', 'evicted ip @4 idle [10.0.0.2] active []', 'evicted ip @5 idle [10.0.0.3] active []']);
    expect(engine.stats().spaces).toEqual([
      { name: 'account', keys: 6, maxKeys: null, evictedIdle: 0, evictedActive: 0 },
      { name: 'ip', keys: 2, maxKeys: 2, evictedIdle: 4, evictedActive: 0 },
    ]);
  });

  it('splits the budget over key groups; a shard owns whole groups and holds only their share', () => {
    const keys = Array.from({ length: 200 }, (_, i) => `K${i}`);
    expect(keys.every((k) => [1, 2, 3, 4].every((n) => shardOf(k, n, 4) === keyGroupOf(k, 4) % n))).toBe(true);
    const shards = [0, 1].map((s) => new ShardCore([pairs], { keyGroups: 4, maxKeys: 10 }, s, 2));
    for (const s of shards) s.streams.ensure(2);
    const out = new Int32Array(64);
    keys.forEach((account, i) => {
      const e = login(`e${i}`, i, { account, device: 'z' });
      const home = shards[i % 2] as ShardCore;
      if (home.route(i % 2, e, null, out) > 0) (shards[out[0] as number] as ShardCore).deliver(e, null);
    });
    for (const s of shards) s.engine.flush(keys.length);
    // Groups 0..3 get 3, 3, 2, 2 keys; shard 0 owns groups 0 and 2, shard 1 groups 1 and 3.
    expect(shards.map((s) => s.engine.stats().keys)).toEqual([5, 5]);
    // The shard protocol carries no evictions (the service counts them from stats()).
    expect(shards.flatMap((s) => s.drain().map((f) => f.kind))).toEqual([]);
    expect(shards.map((s) => s.engine.stats().spaces[0]?.evictedIdle)).toEqual([95, 95]);
    expect(() => new ShardCore([pairs], { keyGroups: 4 }, 0, 5)).toThrow(/5 shards but only 4 key groups/);
  });

  it('refuses a budget smaller than the key groups, an unknown key space and bad key groups, naming each', () => {
    const problems = (o: Partial<EngineOptions>): readonly string[] => {
      try {
        createEngine([pairs], o);
      } catch (err) {
        if (err instanceof CepError) return [err.code, ...err.details];
        throw err;
      }
      return [];
    };
    expect(problems({ maxKeys: 100 })).toEqual(['CEP_ERR_ENGINE_OPTIONS', 'maxKeys must be a whole number >= keyGroups (256: every key group needs room for a key), or Infinity for no bound (got 100)']);
    expect(problems({ keyGroups: 0, maxKeysBySpace: { account: 2.5 } })).toEqual([
      'CEP_ERR_ENGINE_OPTIONS', 'keyGroups must be a whole number from 1 to 65536 (got 0)',
      'maxKeysBySpace.account must be a whole number >= keyGroups (256: every key group needs room for a key), or Infinity for no bound (got 2.5)',
    ]);
    expect(problems({ maxKeysBySpace: { acount: 1000 } })).toEqual(['CEP_ERR_ENGINE_OPTIONS', "maxKeysBySpace.acount: no rule is keyed by a key space named 'acount' (key spaces: account)"]);
  });
});
