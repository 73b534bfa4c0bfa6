// A calibration sweep over a small labelled fixture, on worker threads: the whole table, the
// JSON rows and the plot's data, and the backtest diff of two rule sets with alert ids.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSweep } from '../../../src/backtest/sweep.ts';
import { runBacktest } from '../../../src/cli/backtest.ts';
import type { BacktestCliOptions, SweepOutput } from '../../../src/cli/backtest.ts';
import { CepError } from '../../../src/core/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'cepheus-sweep-'));
const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 5);
let n = 0;
const out = (account: string, hour: number, amount: number) => ({
  kind: 'transfer', id: `t${++n}`, ts: T0 + hour * H, account, direction: 'OUT', amount, currency: 'EUR',
  counterparty: `C${n}`, counterpartyCountry: 'DE', channel: 'SEPA', reference: null,
});
// P1, P2: planted structuring; N1: a near miss; BG: unlabelled (a false positive when it fires).
const events = [
  out('P1', 0, 9_600), out('P1', 2, 9_700), out('P1', 4, 9_800),
  out('P2', 1, 8_900), out('P2', 3, 8_950), out('P2', 5, 9_100),
  out('N1', 6, 8_600), out('N1', 7, 8_700), out('N1', 8, 8_800),
  out('BG', 9, 9_300), out('BG', 10, 9_350), out('BG', 11, 9_400),
].sort((a, b) => a.ts - b.ts);
const fixture = join(dir, 'small.jsonl');
writeFileSync(fixture, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
const ids = (account: string) => events.filter((e) => e.account === account).map((e) => e.id);
writeFileSync(join(dir, 'small.labels.json'), JSON.stringify({
  scenarios: [
    { id: 'structuring/p1', rule: 'structuring', kind: 'positive', key: 'P1', eventIds: ids('P1') },
    { id: 'structuring/p2', rule: 'structuring', kind: 'positive', key: 'P2', eventIds: ids('P2') },
    { id: 'structuring/n1', rule: 'structuring', kind: 'near-miss', key: 'N1', eventIds: ids('N1') },
  ],
}));

const opts = (over: Partial<BacktestCliOptions>): BacktestCliOptions => ({
  against: [], threads: 2, outOfOrderMs: 0, allowedLatenessMs: 0, typeCheck: true, plot: join(dir, 'plot.svg'), ...over,
});

describe('backtest --sweep', () => {
  it('replays once per value and prints the whole trade-off table', async () => {
    expect(await runBacktest('structuring', fixture, opts({ sweep: 'structuring.threshold=9000..10000 step 250' }))).toEqual([
      `sweep of structuring.threshold over ${fixture} against labels ${join(dir, 'small.labels.json')}`,
      'threshold  alerts  detected  precision  recall  near misses',
      '     9000       1       0/2       0.00    0.00            1',
      '     9250       2       1/2       0.50    0.50            1',
      '     9500       3       1/2       0.33    0.50            1',
      '     9750       2       1/2       0.50    0.50            0',
      '    10000       2       1/2       0.50    0.50            0',
      `plot: ${join(dir, 'plot.svg')}`, // outside the working directory: shown absolute
    ]);
    const svg = readFileSync(join(dir, 'plot.svg'), 'utf8');
    expect([...svg.matchAll(/class="(precision|recall)" points="([^"]*)"/g)].map((m) => [m[1], m[2]])).toEqual([
      ['precision', '88,344 224,196 360,245.3 496,196 632,196'],
      ['recall', '88,344 224,196 360,196 496,196 632,196'],
    ]);
  });

  it('gives the same rows as JSON, on one thread as on two, for a list of values with units', async () => {
    const json = JSON.parse((await runBacktest('structuring', fixture, opts({ sweep: 'structuring.within=1h,3h,12h', json: true, threads: 1 })))[0] as string) as SweepOutput;
    expect(json.sweep).toEqual({ rule: 'structuring', param: 'within', values: [H, 3 * H, 12 * H] });
    expect(json.rows).toEqual([
      { value: H, alerts: 0, positives: 2, detected: 0, precision: null, recall: 0, nearMissesFired: 0 },
      { value: 3 * H, alerts: 1, positives: 2, detected: 0, precision: 0, recall: 0, nearMissesFired: 0 },
      { value: 12 * H, alerts: 2, positives: 2, detected: 1, precision: 0.5, recall: 0.5, nearMissesFired: 0 },
    ]);
  });

  it('refuses a parameter the factory does not have, and a rule no factory built', async () => {
    const code = async (p: Promise<unknown>): Promise<string> => p.then(() => 'resolved', (e: unknown) => (e instanceof CepError ? e.message : String(e)));
    expect(await code(runBacktest('structuring', fixture, opts({ sweep: 'structuring.treshold=1..2 step 1' }))))
      .toBe("CEP_ERR_SWEEP: rule 'structuring' (structuring) has no parameter 'treshold'; it has threshold, band, minTransfers, within");
    expect(await code(runBacktest('structuring', fixture, opts({ sweep: 'brute-force.minFailures=1..2 step 1' }))))
      .toBe("CEP_ERR_SWEEP: no rule 'brute-force' in the rule set (rules: structuring)");
    expect(() => parseSweep('structuring.threshold=10..1 step 1')).toThrow("CEP_ERR_SWEEP: --sweep 'structuring.threshold=10..1 step 1': the range must go up (from <= to) by a step > 0");
  });
});

describe('backtest --against', () => {
  it('prints alerts, precision, recall and the alerts only one rule set raised, with ids', async () => {
    const variant = join(dir, 'variant.ts');
    writeFileSync(variant, "import { structuring } from 'cepheus/rules';\n\nexport default structuring({ threshold: 9_500 });\n");
    const lines = await runBacktest('structuring', fixture, opts({ against: [variant] }));
    const [, , row, hereLine, thereLine] = lines;
    expect(lines.slice(0, 3)).toEqual([
      `backtest of ${fixture} against labels ${join(dir, 'small.labels.json')}`,
      'rule         alerts  detected  precision  recall  near misses  against  only here  only there',
      row,
    ]);
    expect(row).toBe('structuring       2       1/2       0.50    0.50            0        3          1           2');
    expect([lines.length, hereLine?.replace(/al_[0-9a-f]{32}/g, 'al_*'), thereLine?.replace(/al_[0-9a-f]{32}/g, 'al_*')])
      .toEqual([5, 'only here   structuring: al_*', 'only there  structuring: al_* al_*']);
    const json = JSON.parse((await runBacktest('structuring', fixture, opts({ against: [variant], json: true })))[0] as string) as { against: { onlyHere: string[]; onlyThere: string[] }[] };
    expect(`only here   structuring: ${json.against[0]?.onlyHere.join(' ')}`).toBe(hereLine);
    expect(`only there  structuring: ${json.against[0]?.onlyThere.join(' ')}`).toBe(thereLine);
  });
});
