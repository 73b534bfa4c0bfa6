// Backtest and sweep results as the CLI prints them: fixed-width tables (JSON is the result
// objects themselves). Missing figures print as '-': precision without alerts, recall without
// labelled positives, anything without labels.
import type { BacktestResult } from './backtest.ts';
import type { SweepRow } from './sweep.ts';

const ratio = (v: number | null): string => (v === null ? '-' : v.toFixed(2));

function table(head: readonly string[], rows: readonly (readonly string[])[], leftColumns = 1): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i < leftColumns ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}

export function backtestTable(r: BacktestResult): string[] {
  const against = r.against;
  const head = ['rule', 'alerts', 'detected', 'precision', 'recall', 'near misses', ...(against === undefined ? [] : ['against', 'only here', 'only there'])];
  const diffOf = (rule: string) => against?.find((d) => d.rule === rule);
  const rows = r.rules.map((x) => {
    const d = diffOf(x.rule);
    const labelled = x.labelledAs !== null;
    return [
      x.labelledAs === null || x.labelledAs === x.rule ? x.rule : `${x.rule} (as ${x.labelledAs})`,
      String(x.alerts), labelled ? `${x.detected}/${x.positives}` : '-', ratio(x.precision), ratio(x.recall), labelled ? String(x.nearMissesFired) : '-',
      ...(against === undefined ? [] : [d?.there === null || d === undefined ? '-' : String(d.there), String(d?.onlyHere.length ?? 0), String(d?.onlyThere.length ?? 0)]),
    ];
  });
  for (const d of against ?? []) if (d.here === null) rows.push([d.rule, '-', '-', '-', '-', '-', String(d.there), '0', String(d.onlyThere.length)]);
  const lines = [`backtest of ${r.events}${r.labels === null ? ' (no labels)' : ` against labels ${r.labels}`}`, ...table(head, rows)];
  for (const d of against ?? []) {
    if (d.onlyHere.length > 0) lines.push(`only here   ${d.rule}: ${d.onlyHere.join(' ')}`);
    if (d.onlyThere.length > 0) lines.push(`only there  ${d.rule}: ${d.onlyThere.join(' ')}`);
  }
  return lines;
}

export function sweepTable(param: string, rows: readonly SweepRow[]): string[] {
  return table([param, 'alerts', 'detected', 'precision', 'recall', 'near misses'], rows.map((r) => [
    String(r.value), String(r.alerts), r.positives === 0 && r.recall === null ? '-' : `${r.detected}/${r.positives}`, ratio(r.precision), ratio(r.recall), String(r.nearMissesFired),
  ]), 0);
}
