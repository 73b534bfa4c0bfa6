// Type tests: the rule API rejects wrong field access and wrong capture use at compile time.
import { describe, expectTypeOf, it } from 'vitest';
import { correlate, defineContext, keyBy, oneOrMore, optional, sequence, sliding, threshold, times } from '../../src/core/rule-api.ts';
import type { PatternStart } from '../../src/core/rule-api.ts';
import type { Login, Transfer, Trade } from '../../src/events/types.ts';
import { minutes } from '../../src/events/time.ts';

const byAccount = keyBy('account', { login: (e) => e.account, transfer: (e) => e.account, trade: (e) => e.account });
const ctx = defineContext({
  id: 'ctx', initial: () => ({ devices: [] as string[], ewma: 0 }),
  fold: { trade: (c, e) => ({ ...c, ewma: 0.9 * c.ewma + 0.1 * e.notional }) },
});

describe('sequence captures are typed from the pattern', () => {
  it('types one, optional and counted steps', () => {
    sequence({
      id: 't', version: 1, severity: 'low', description: 'd', key: byAccount, context: ctx, within: minutes(1), skip: 'no-skip',
      pattern: (p) => p
        .begin('fails', 'login', (e) => !e.success, times(3, 5))
        .followedBy('maybe', 'trade', undefined, optional())
        .followedBy('more', 'login', undefined, oneOrMore(4))
        .followedBy('cash', 'transfer', (e, m, c) => {
          expectTypeOf(e).toEqualTypeOf<Transfer>();
          expectTypeOf(m.fails).toEqualTypeOf<readonly Login[]>();
          expectTypeOf(m.maybe).toEqualTypeOf<Trade | undefined>();
          expectTypeOf(m.more).toEqualTypeOf<readonly Login[]>();
          expectTypeOf(c.ewma).toEqualTypeOf<number>();
          return e.amount > c.ewma;
        }),
      message: (m) => {
        expectTypeOf(m.cash).toEqualTypeOf<Transfer>();
        return `${m.cash.amount}`;
      },
    });
  });

  it('rejects fields the event does not have, wrong capture use and kinds outside the key space', () => {
    const loginsOnly = keyBy('login-only', { login: (e) => e.ip });
    sequence({
      id: 'bad', version: 1, severity: 'low', description: 'd', key: loginsOnly, within: minutes(1), skip: 'no-skip',
      pattern: (p) => p
        // @ts-expect-error Login has no `amount`
        .begin('a', 'login', (e) => e.amount > 0, times(2))
        // @ts-expect-error a counted step is an array: `device` is not on Login[]
        .followedBy('b', 'login', (e, m) => m.a.device === e.device)
        // @ts-expect-error 'transfer' is not keyed by this key space
        .followedBy('c', 'transfer'),
      // @ts-expect-error no step named `nope`
      message: (m) => m.nope,
    });
    // @ts-expect-error `within` is mandatory
    sequence({ id: 'w', version: 1, severity: 'low', description: 'd', key: loginsOnly, skip: 'no-skip', pattern: (p) => p.begin('a', 'login') });
    // @ts-expect-error severity is a closed set
    sequence({ id: 'w', version: 1, severity: 'urgent', description: 'd', key: loginsOnly, within: minutes(1), skip: 'no-skip', pattern: (p) => p.begin('a', 'login') });
  });
});

describe('after-match skip strategies', () => {
  it('names only steps of the pattern in skip-to-first / skip-to-last, and only the strategies a rule kind takes', () => {
    const pattern = (p: PatternStart<'login' | 'transfer' | 'trade', undefined>) => p.begin('fails', 'login', undefined, times(3)).notFollowedBy('reset', 'login').followedBy('cash', 'transfer');
    sequence({ id: 's', version: 1, severity: 'low', description: 'd', key: byAccount, within: minutes(1), skip: 'skip-to-last(fails)', pattern, message: (m) => `${m.fails.length} ${m.cash.amount}` });
    sequence({ id: 's', version: 1, severity: 'low', description: 'd', key: byAccount, within: minutes(1), skip: 'skip-overlapping', pattern });
    // @ts-expect-error no step named `nope`
    sequence({ id: 's', version: 1, severity: 'low', description: 'd', key: byAccount, within: minutes(1), skip: 'skip-to-first(nope)', pattern });
    // @ts-expect-error an absence takes no event to skip to
    sequence({ id: 's', version: 1, severity: 'low', description: 'd', key: byAccount, within: minutes(1), skip: 'skip-to-first(reset)', pattern });
    threshold({
      id: 't', version: 1, severity: 'low', description: 'd', key: byAccount, on: 'trade', window: sliding(minutes(5)),
      // @ts-expect-error a window has no steps and no partial matches to skip to
      skip: 'skip-to-next', measures: (m) => ({ n: m.count() }), when: (a) => a.n > 1,
    });
    correlate({
      id: 'c', version: 1, severity: 'low', description: 'd', key: byAccount, within: minutes(5), order: 'any',
      // @ts-expect-error a correlation's roles are not ordered steps
      skip: 'skip-to-first(login)', events: (r) => r.role('login', 'login').role('out', 'transfer'),
    });
  });
});

describe('thresholds and correlations', () => {
  it('types aggregates and roles', () => {
    threshold({
      id: 't', version: 1, severity: 'low', description: 'd', key: byAccount, on: 'trade', window: sliding(minutes(5)),
      measures: (m) => ({ n: m.count(), notional: m.sum((e) => e.notional) }),
      when: (a) => {
        expectTypeOf(a).toEqualTypeOf<{ readonly n: number; readonly notional: number }>();
        // @ts-expect-error no measure named `avg`
        return a.avg > 1;
      },
    });
    threshold({
      id: 't', version: 1, severity: 'low', description: 'd', key: byAccount, on: 'trade', window: sliding(minutes(5)),
      // @ts-expect-error Trade has no `amount`
      measures: (m) => ({ s: m.sum((e) => e.amount) }),
      when: () => true,
    });
    correlate({
      id: 'c', version: 1, severity: 'low', description: 'd', key: byAccount, within: minutes(5), order: 'any', skip: 'no-skip',
      events: (r) => r.role('login', 'login').role('out', 'transfer', (e) => e.direction === 'OUT'),
      message: (m) => {
        expectTypeOf(m.login).toEqualTypeOf<Login>();
        // @ts-expect-error a Transfer has no device
        return m.out.device;
      },
    });
  });
});
