// The backtest runner: files only from under its directory (no escape by .. or a symlink),
// event files only, loaded or bundled rule ids only (never a module path), bounded by events,
// one at a time; and a run over the fixture on the worker thread, stopped by the event bound.
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CepError } from '../../../src/core/errors.ts';
import { BacktestRunner } from '../../../src/mcp/backtest.ts';
import { readEvents } from '../../../src/io/read-events.ts';
import { replay } from '../../../src/replay/replay.ts';
import { BUNDLED_RULES_DIR, loadRules } from '../../../src/rules/load-rules.ts';

const root = mkdtempSync(join(tmpdir(), 'cepheus-backtest-'));
mkdirSync(join(root, 'allowed'));
writeFileSync(join(root, 'allowed', 'notes.txt'), 'x');
writeFileSync(join(root, 'secret.jsonl'), '{}\n');
symlinkSync(join(root, 'secret.jsonl'), join(root, 'allowed', 'link.jsonl'));
copyFileSync(join('fixtures', 'default.avro'), join(root, 'allowed', 'default.avro'));
const settings = { dir: 'allowed', maxEvents: 5000, maxWallMs: 20_000 };
const runner = new BacktestRunner(settings, [], root);

const failure = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    return err instanceof CepError ? err.message : String(err);
  }
  return 'no error';
};

describe('BacktestRunner', () => {
  it('reads event files from under its directory only', () => {
    expect([
      failure(() => runner.resolveFile('../secret.jsonl')),
      failure(() => runner.resolveFile('link.jsonl')),
      failure(() => runner.resolveFile('/etc/passwd')),
      failure(() => runner.resolveFile('notes.txt')),
      failure(() => runner.resolveFile('missing.avro')),
    ]).toEqual([
      'CEP_ERR_MCP_BACKTEST_FILE: ../secret.jsonl: outside the backtest directory allowed',
      'CEP_ERR_MCP_BACKTEST_FILE: link.jsonl: outside the backtest directory allowed',
      'CEP_ERR_MCP_BACKTEST_FILE: /etc/passwd: outside the backtest directory allowed',
      'CEP_ERR_MCP_BACKTEST_FILE: notes.txt: not an event file (.avro, .jsonl, .ndjson)',
      'CEP_ERR_MCP_BACKTEST_FILE: missing.avro: no such file under the backtest directory allowed',
    ]);
  });

  it('runs loaded or bundled rules, never a path', () => {
    expect(runner.resolveRules(['structuring', 'brute-force', 'structuring'])).toEqual([join(BUNDLED_RULES_DIR, 'structuring.ts'), join(BUNDLED_RULES_DIR, 'brute-force.ts')]);
    expect(failure(() => runner.resolveRules(['../../etc/rule']))).toBe('CEP_ERR_API_RULE_NOT_FOUND: no rule ../../etc/rule: backtests run loaded or bundled rules (list_rules)');
  });

  it('replays on a worker thread up to the event bound, one backtest at a time', async () => {
    const first = runner.run({ rules: ['brute-force', 'credential-stuffing'], file: 'default.avro', maxEvents: 1_000_000, sampleAlerts: 1 });
    await expect(runner.run({ rules: ['brute-force'], file: 'default.avro', sampleAlerts: 0 })).rejects.toThrow('CEP_ERR_MCP_BACKTEST_BUSY: another backtest is running; retry when it is done');
    const r = await first;
    // The reference: the same rules over the first 5000 events, in this thread.
    const head = [];
    for await (const item of readEvents('fixtures/default.avro')) if (head.push(item) >= 5000) break;
    const { rules: _infos, ...reference } = await replay(head, { rules: (await loadRules(['brute-force', 'credential-stuffing'])).map((l) => l.rule), engine: { outOfOrdernessMs: 5000 } });
    expect({ ...r, summary: { ...r.summary, wallMs: 0, eventsPerSec: 0 } }).toEqual({
      file: 'default.avro', rules: ['brute-force', 'credential-stuffing'], stoppedBy: 'maxEvents', scores: null, sample: [],
      summary: { ...reference, wallMs: 0, eventsPerSec: 0 },
    });
    expect([reference.events, reference.alerts, reference.late]).toEqual([5000, 0, 3]);
  });
});
