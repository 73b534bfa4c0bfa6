// Rule validation: every problem reported at once, each saying what to fix.
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/core/engine/index.ts';
import { CepError } from '../../../src/core/errors.ts';
import { keyBy, optional, sequence, threshold, times, tumbling, correlate } from '../../../src/core/rule-api.ts';
import type { AnyRule } from '../../../src/core/rule-types.ts';
import { minutes, ms } from '../../../src/events/time.ts';

const byAccount = keyBy('account', { login: (e) => e.account });
const ok = sequence({
  id: 'ok', version: 1, severity: 'low', description: 'fine', key: byAccount, within: minutes(1), skip: 'no-skip',
  pattern: (p) => p.begin('a', 'login').followedBy('b', 'login'),
});

function problems(rules: readonly AnyRule[]): { code: string; details: readonly string[] } {
  try {
    createEngine(rules);
  } catch (err) {
    if (err instanceof CepError) return { code: err.code, details: err.details };
    throw err;
  }
  return { code: 'none', details: [] };
}

describe('rule validation', () => {
  it('accepts a valid rule', () => {
    expect(problems([ok])).toEqual({ code: 'none', details: [] });
  });

  it('rejects duplicate ids', () => {
    expect(problems([ok, { ...ok }])).toEqual({
      code: 'CEP_ERR_RULE_DUPLICATE_ID',
      details: ["rule 'ok': duplicate id (also rule #1); rule ids must be unique"],
    });
  });

  it('reports a missing within, unbounded and empty quantifiers, bad placement and unknown keys together', () => {
    const bad = sequence({
      id: 'Bad Id', version: 0, severity: 'low', description: '', key: byAccount, within: ms(0), skip: 'no-skip',
      pattern: (p) => p.begin('a', 'login', undefined, optional()).followedBy('b', 'login', undefined, times(2, Infinity))
        .followedBy('a', 'login', undefined, times(3, 1)).notFollowedBy('x', 'login').followedBy('c', 'login', undefined, times(1, 2)),
    });
    const withTransfer = { ...bad, id: 'reads-transfer', version: 1, description: 'x', within: minutes(1), steps: [{ type: 'step', name: 'a', kind: 'transfer', contiguity: 'relaxed', quantifier: { shape: 'one', min: 1, max: 1 }, where: undefined }] } as AnyRule;
    expect(problems([bad, withTransfer])).toEqual({
      code: 'CEP_ERR_RULE_INVALID',
      details: [
        "rule 'Bad Id': id 'Bad Id' must be kebab-case: lowercase letters, digits and '-', 1-63 chars",
        "rule 'Bad Id': version must be a positive whole number (got 0)",
        "rule 'Bad Id': description is empty; say in one line what the rule catches",
        "rule 'Bad Id': within is missing or not a positive duration; every sequence needs a bound, e.g. within: minutes(30)",
        "rule 'Bad Id': step 'b' (#2): unbounded quantifier (max Infinity); give an upper bound, e.g. oneOrMore(50) or times(3, 20), at most 10000",
        "rule 'Bad Id': step 'a' (#3): duplicate step name; each step needs its own name",
        "rule 'Bad Id': step 'a' (#3): quantifier 3..1 is empty; need 0 <= min <= max and max >= 1",
        "rule 'Bad Id': step 'a': the first step cannot be optional",
        "rule 'Bad Id': step 'c': the last step completes as soon as it has its minimum; give it an exact count (times(1)) or add a step after it",
        "rule 'reads-transfer': step 'a' (#1): reads 'transfer' events but key space 'account' has no key for 'transfer'; add `transfer: (e) => ...` to keyBy('account', ...)",
      ],
    });
  });

  it('checks thresholds and correlations', () => {
    const thr = threshold({
      id: 'thr', version: 1, severity: 'low', description: 'x', key: byAccount, on: 'login', window: tumbling(ms(-1)),
      measures: (m) => ({ e: m.ewma((e) => e.ts, 2) }), when: (a) => a.e > 0,
    });
    const cor = correlate({
      id: 'cor', version: 1, severity: 'low', description: 'x', key: byAccount, within: minutes(1), order: 'any', skip: 'no-skip',
      events: (r) => r.role('only', 'login'),
    });
    expect(problems([thr, cor]).details).toEqual([
      "rule 'thr': tumbling window needs a positive duration",
      "rule 'thr': measure 'e': ewma alpha must be in (0, 1] (got 2)",
      "rule 'cor': a correlation needs at least two roles: events: (r) => r.role(...).role(...)",
    ]);
  });

  it('takes every strategy on a sequence, and refuses a step that takes no event with the steps that do', () => {
    const base = { ...ok, steps: [...ok.steps, { type: 'absent', name: 'gone', kind: 'login', where: undefined }, { type: 'step', name: 'c', kind: 'login', contiguity: 'relaxed', quantifier: { shape: 'one', min: 1, max: 1 }, where: undefined }] } as AnyRule & { kind: 'sequence' };
    const good = ['no-skip', 'skip-past-last-event', 'skip-overlapping', 'skip-to-next', 'skip-to-first(a)', 'skip-to-last(c)'].map((skip, i) => ({ ...base, id: `ok-${i}`, skip }) as AnyRule);
    expect(problems(good)).toEqual({ code: 'none', details: [] });
    const bad = ['skip-to-last(nope)', 'skip-to-first(gone)', 'skip-to-first', 'skip-past-first-event'].map((skip, i) => ({ ...base, id: `bad-${i}`, skip }) as AnyRule);
    expect(problems(bad).details).toEqual([
      "rule 'bad-0': skip 'skip-to-last(nope)': no step 'nope'; name a step that takes events: a, b, c",
      "rule 'bad-1': skip 'skip-to-first(gone)': 'gone' is an absence, which takes no event; name a step that takes events: a, b, c",
      "rule 'bad-2': skip 'skip-to-first' needs a step: skip-to-first(<step>), e.g. skip-to-first(a)",
      "rule 'bad-3': skip 'skip-past-first-event' is not a strategy; use one of no-skip, skip-past-last-event, skip-overlapping, skip-to-next, skip-to-first(<step>), skip-to-last(<step>)",
    ]);
  });

  it('refuses on thresholds and correlations the strategies that need steps, saying what to use instead', () => {
    const thr = threshold({
      id: 'thr', version: 1, severity: 'low', description: 'x', key: byAccount, on: 'login', window: tumbling(ms(10)),
      measures: (m) => ({ n: m.count() }), when: (a) => a.n > 2,
    });
    const cor = correlate({
      id: 'cor', version: 1, severity: 'low', description: 'x', key: byAccount, within: minutes(1), order: 'any', skip: 'skip-overlapping',
      events: (r) => r.role('a', 'login').role('b', 'login'),
    });
    expect(problems([thr, { ...thr, id: 'thr-2', skip: 'skip-overlapping' }, cor]).details).toEqual([]);
    expect(problems([{ ...thr, skip: 'skip-to-next' }, { ...cor, skip: 'skip-to-last(a)' }, { ...cor, id: 'cor-2', skip: 'sometimes' } as unknown as AnyRule]).details).toEqual([
      "rule 'thr': skip 'skip-to-next' does not apply to a threshold: a window has no steps and no partial matches; use skip-past-last-event (an event counts in one alert at most; the same as skip-overlapping for a window) or no-skip (it counts in every window it is in)",
      "rule 'cor': skip 'skip-to-last(a)' does not apply to a correlation: its roles hold candidates, not ordered steps; use skip-overlapping (an event is in one alert at most), skip-past-last-event (a match also clears every other candidate held) or no-skip",
      "rule 'cor-2': skip 'sometimes' is not a strategy; use one of no-skip, skip-past-last-event, skip-overlapping",
    ]);
  });

  it('rejects bad engine options with the key and what is expected', () => {
    expect(() => createEngine([ok], { maxPartialMatches: 0, outOfOrdernessMs: -1 })).toThrow(
      'CEP_ERR_ENGINE_OPTIONS: invalid engine options\n  - outOfOrdernessMs must be a number >= 0 (got -1)\n  - maxPartialMatches must be a whole number > 0 (got 0)',
    );
  });
});
