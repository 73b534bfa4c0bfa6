// docs/rule-library.md is executable: the variants file it embeds is shown verbatim, every
// output block is what the command in its tag prints (backtests, the sweep and its SVG, the
// `cepheus test` table), and every factory's parameter table lists exactly the factory's
// parameters with their real defaults.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from 'cepheus/rules';
import { runBacktest } from '../../src/cli/backtest.ts';
import type { BacktestCliOptions } from '../../src/cli/backtest.ts';
import { runReplay, testReport } from '../../src/cli/replay.ts';
import { bundledRuleIds } from '../../src/rules/load-rules.ts';

const root = new URL('../../', import.meta.url);
const doc = readFileSync(new URL('docs/rule-library.md', root), 'utf8');
const block = (tag: string): { arg: string; body: string }[] =>
  [...doc.matchAll(new RegExp(`<!-- ${tag}: (.+?) -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => ({ arg: m[1] as string, body: m[2] as string }));
const tmp = mkdtempSync(join(tmpdir(), 'cepheus-library-doc-'));

/** `backtest <rules> <events> [--plot <file>] [--sweep <spec...>]` as the CLI would run it. */
async function backtestOutput(args: string): Promise<string> {
  const m = /^backtest (\S+) (\S+)(?: --plot (\S+))?(?: --sweep (.+))?$/.exec(args);
  if (m === null) throw new Error(`cannot run '${args}'`);
  const plot = join(tmp, 'plot.svg');
  const opts: BacktestCliOptions = { against: [], threads: 2, outOfOrderMs: 5000, allowedLatenessMs: 0, typeCheck: true, plot, ...(m[4] === undefined ? {} : { sweep: m[4] }) };
  const lines = await runBacktest(m[1] as string, m[2] as string, opts);
  if (m[3] !== undefined) expect(readFileSync(plot, 'utf8'), `${m[3]} is the plot this sweep draws`).toBe(readFileSync(new URL(m[3], root), 'utf8'));
  return `${lines.join('\n').replace(`plot: ${plot}`, `plot: ${m[3] ?? ''}`)}\n`;
}

const DURATION: Readonly<Record<string, number>> = { ms: 1, seconds: 1000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 };
const valueOf = (text: string): number => {
  const d = /^(\w+)\((\d+)\)$/.exec(text);
  return d === null ? Number(text.replaceAll('_', '')) : Number(d[2]) * (DURATION[d[1] as string] ?? NaN);
};

describe('docs/rule-library.md', () => {
  it('shows docs/examples/library/variants.ts verbatim', () => {
    expect(block('file')).toEqual([{ arg: 'docs/examples/library/variants.ts', body: readFileSync(new URL('docs/examples/library/variants.ts', root), 'utf8') }]);
  });

  it.each(block('output').filter((b) => b.arg.startsWith('backtest')).map((b) => [b.arg, b.body] as const))('shows what `cepheus %s` prints', async (args, body) => {
    expect(body).toBe(await backtestOutput(args));
  });

  it('shows what `cepheus test` prints for every bundled rule', async () => {
    const { summary, labels } = await runReplay('fixtures/default.avro', { rules: [], batchSize: 1024, outOfOrderMs: 5000, allowedLatenessMs: 0, progress: false });
    const report = testReport(summary.scores, labels, summary.alertsByRule, 'fixtures/default.labels.json');
    expect(block('output').filter((b) => b.arg === 'test').map((b) => b.body)).toEqual([`${report.lines.join('\n')}\n`]);
  });

  it("documents every factory's parameters with their real defaults", () => {
    const sections = doc.split(/\n## /).slice(1).filter((s) => bundledRuleIds().includes(s.slice(0, s.indexOf('\n'))));
    const documented = Object.fromEntries(sections.map((s) => {
      const factory = /\*\*Parameters\*\* \(`(\w+)\(/.exec(s)?.[1] ?? `(no parameter table in ${s.slice(0, s.indexOf('\n'))})`;
      const rows = [...s.matchAll(/^ {2}\| `(\w+)` \| `([^`]+)` \|/gm)].map((r) => [r[1] as string, valueOf(r[2] as string)] as const);
      return [factory, Object.fromEntries(rows)];
    }));
    expect(documented).toStrictEqual(JSON.parse(JSON.stringify(DEFAULTS)));
  });
});
