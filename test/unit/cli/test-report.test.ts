// What `cepheus test` prints and whether it fails: a rule without labelled scenarios says so
// and passes; with labels it reports detection, precision and near misses as before.
import { describe, expect, it } from 'vitest';
import { testReport } from '../../../src/cli/replay.ts';
import { score } from '../../../src/replay/score.ts';
import type { Labels } from '../../../src/replay/score.ts';

const labels: Labels = {
  scenarios: [
    { id: 'p1', rule: 'structuring', kind: 'positive', key: 'A1', eventIds: ['t1'] },
    { id: 'p2', rule: 'structuring', kind: 'positive', key: 'A2', eventIds: ['t2'] },
    { id: 'n1', rule: 'structuring', kind: 'near-miss', key: 'A3', eventIds: ['t3'] },
  ],
};
const alert = (ruleId: string, key: string, id: string) => ({ ruleId, key, matched: [{ step: 'window', events: [{ event: { id } }] }] }) as never;

describe('cepheus test report', () => {
  it('says a rule has no labelled scenarios, and passes', () => {
    const alerts = [alert('structuring', 'A1', 't1'), alert('structuring', 'A2', 't2'), alert('mine', 'A9', 'x')];
    expect(testReport(score(alerts, labels, ['structuring', 'mine']), labels, { structuring: 2, mine: 1 }, 'fixtures/default.labels.json')).toEqual({
      ok: true,
      lines: [
        'PASS structuring              detected 2/2  alerts 2  precision 1.00  near misses fired 0',
        'SKIP mine                     no labelled scenarios in fixtures/default.labels.json  alerts 1',
      ],
    });
  });

  it('fails on a missed scenario or a near miss that fired', () => {
    const alerts = [alert('structuring', 'A1', 't1'), alert('structuring', 'A3', 't3')];
    expect(testReport(score(alerts, labels, ['structuring']), labels, { structuring: 2 }, 'x.labels.json')).toEqual({
      ok: false,
      lines: ['FAIL structuring              detected 1/2  alerts 2  precision 0.50  near misses fired 1  missed: p2'],
    });
  });

  it('says there are no labels at all, and passes', () => {
    expect(testReport(undefined, undefined, { mine: 0 }, 'events.jsonl')).toEqual({
      ok: true, lines: ['SKIP mine                     no labels for events.jsonl: nothing to score  alerts 0'],
    });
  });
});
