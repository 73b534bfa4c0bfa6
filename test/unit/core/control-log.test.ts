// The control log as data: records parse or are refused with a code, changes fold into the
// rule set in force, and a deploy's diff says which rules keep their state.
import { describe, expect, it } from 'vitest';
import { changeKey, diffRules, parseControlRecord, ruleSetOf } from '../../../src/core/control-log.ts';
import type { BundleRecord, ChangeRecord } from '../../../src/core/control-log.ts';

const bundle = (hash: string, rules: [string, number][]): BundleRecord => ({ type: 'bundle', format: 1, hash, files: {}, rules: rules.map(([id, version]) => ({ id, version })), bytes: 0 });
const change = (seq: number, action: ChangeRecord['action'], x: string, at: number | null = 100 * seq): ChangeRecord => ({
  type: 'change', format: 1, seq, at, action, bundle: action === 'deploy' ? x : null, rule: action === 'deploy' ? null : x, version: 0, actor: 'ana', time: 0, comment: '', approvedBy: null, before: null, after: null,
});

describe('control log', () => {
  const bundles = new Map([['h1', bundle('h1', [['a', 1], ['b', 1]])], ['h2', bundle('h2', [['a', 1], ['b', 2], ['c', 1]])], ['h3', bundle('h3', [['a', 1]])]]);
  const log = [change(1, 'deploy', 'h1', null), change(2, 'disable', 'b'), change(3, 'disable', 'a'), change(4, 'deploy', 'h2'), change(5, 'enable', 'a'), change(6, 'deploy', 'h3')];

  it('folds changes into the rule set in force after each seq; a disabled rule stays disabled across deploys while it exists', () => {
    expect([1, 2, 3, 4, 5, 6].map((s) => { const v = ruleSetOf(log, bundles, s); return [v.seq, v.bundle, v.rules.map((r) => `${r.id}@${r.version}`), v.disabled]; })).toEqual([
      [1, 'h1', ['a@1', 'b@1'], []],
      [2, 'h1', ['a@1', 'b@1'], ['b']],
      [3, 'h1', ['a@1', 'b@1'], ['b', 'a']],
      [4, 'h2', ['a@1', 'b@2', 'c@1'], ['b', 'a']],
      [5, 'h2', ['a@1', 'b@2', 'c@1'], ['b']],
      [6, 'h3', ['a@1'], []],
    ]);
  });

  it('diffs two rule sets: added, removed, changed (version), unchanged (state kept)', () => {
    expect(diffRules([{ id: 'a', version: 1 }, { id: 'b', version: 1 }, { id: 'd', version: 3 }], [{ id: 'a', version: 1 }, { id: 'b', version: 2 }, { id: 'c', version: 1 }])).toEqual({
      added: [{ id: 'c', version: 1 }], removed: [{ id: 'd', version: 3 }], changed: [{ id: 'b', from: 1, to: 2 }], unchanged: [{ id: 'a', version: 1 }],
    });
  });

  it('parses the group\'s records, skips other groups\', refuses malformed ones with a code', () => {
    const c = change(7, 'enable', 'a');
    expect(parseControlRecord('g', changeKey('g', 7), JSON.stringify(c))).toEqual(c);
    expect(changeKey('g', 7)).toBe('g/change/0000000007');
    expect(parseControlRecord('g', 'other/change/0000000001', '{}')).toBeUndefined();
    const code = (v: string): string => {
      try {
        parseControlRecord('g', 'g/change/1', v);
        return 'parsed';
      } catch (err) {
        return (err as { code: string }).code;
      }
    };
    expect(['not json', JSON.stringify({ ...c, format: 9 }), JSON.stringify({ ...c, action: 'explode' })].map(code)).toEqual(['CEP_ERR_CONTROL_RECORD', 'CEP_ERR_CONTROL_RECORD', 'CEP_ERR_CONTROL_RECORD']);
  });
});
