// The file jobs (run_backtest, explain_key): files only from under their directory (no escape
// by .. or a symlink), event files only, rule ids only (never a module path), bounded by
// events, one at a time; a backtest over the fixture on the worker thread stopped by the event
// bound, and explain runs (a why-not answer, a bounded timeline) equal to `cepheus explain`'s
// in this thread, with the worker's coded errors kept.
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CepError } from '../../../src/core/errors.ts';
import { explain } from '../../../src/core/explain/explain.ts';
import { whyNot } from '../../../src/core/explain/expect.ts';
import type { AnyEvent } from '../../../src/events/types.ts';
import { explainOutput } from '../../../src/explain/run-explain.ts';
import { FileJobs } from '../../../src/mcp/file-jobs.ts';
import { readEvents } from '../../../src/io/read-events.ts';
import { replay } from '../../../src/replay/replay.ts';
import { BUNDLED_RULES_DIR, loadRules } from '../../../src/rules/load-rules.ts';
import type { LoadedRule } from '../../../src/rules/load-rules.ts';

const root = mkdtempSync(join(tmpdir(), 'cepheus-backtest-'));
mkdirSync(join(root, 'allowed'));
writeFileSync(join(root, 'allowed', 'notes.txt'), 'x');
writeFileSync(join(root, 'secret.jsonl'), '{}\n');
symlinkSync(join(root, 'secret.jsonl'), join(root, 'allowed', 'link.jsonl'));
copyFileSync(join('fixtures', 'default.avro'), join(root, 'allowed', 'default.avro'));
const settings = { dir: 'allowed', maxEvents: 5000, maxWallMs: 20_000 };
const ENGINE = { outOfOrdernessMs: 5000 };
const runner = new FileJobs(settings, [], ENGINE, root);
const BUSY = 'CEP_ERR_MCP_BACKTEST_BUSY: another backtest or explain_key run is going on (one file job at a time per server); retry when it is done';
/** wash-trading/near-miss-qty-differs-1 of the fixture's labels: two legs whose quantities differ. */
const NEAR_MISS = { rule: 'wash-trading', key: 'FR90GCSW3AW7', expect: ['ev-70be31ce425d', 'ev-de308142a8ca'] };

let modules: LoadedRule[];
const events: AnyEvent[] = [];
beforeAll(async () => {
  modules = await loadRules();
  for await (const item of readEvents('fixtures/default.avro')) if ('event' in item) events.push(item.event);
});

const failure = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    return err instanceof CepError ? err.message : String(err);
  }
  return 'no error';
};

describe('FileJobs', () => {
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
    const first = runner.backtest({ rules: ['brute-force', 'credential-stuffing'], file: 'default.avro', maxEvents: 1_000_000, sampleAlerts: 1 });
    await expect(runner.backtest({ rules: ['brute-force'], file: 'default.avro', sampleAlerts: 0 })).rejects.toThrow(BUSY);
    const r = await first;
    // The reference: the same rules over the first 5000 events, in this thread.
    const head = [];
    for await (const item of readEvents('fixtures/default.avro')) if (head.push(item) >= 5000) break;
    const { rules: _infos, ...reference } = await replay(head, { rules: (await loadRules(['brute-force', 'credential-stuffing'])).map((l) => l.rule), engine: { outOfOrdernessMs: 5000 } });
    expect({ ...r, summary: { ...r.summary, wallMs: 0, eventsPerSec: 0 } }).toEqual({
      kind: 'backtest', file: 'default.avro', rules: ['brute-force', 'credential-stuffing'], stoppedBy: 'maxEvents', scores: null, sample: [],
      summary: { ...reference, wallMs: 0, eventsPerSec: 0 },
    });
    expect([reference.events, reference.alerts, reference.late]).toEqual([5000, 0, 3]);
  });

  it('explains a key over the whole file: the why-not answer and its evidence, the timeline from `from`, as cepheus explain gives them', async () => {
    const jobs = new FileJobs({ ...settings, maxEvents: 1_000_000 }, modules, ENGINE, root);
    const from = Date.parse('2026-02-03T12:20:00Z');
    const r = await jobs.explain({ ...NEAR_MISS, file: 'default.avro', from });
    const rules = modules.map((l) => l.rule);
    const x = explain(rules, events, { ruleId: NEAR_MISS.rule, key: NEAR_MISS.key, engine: ENGINE });
    const verdict = whyNot(x, NEAR_MISS.expect);
    const rule = modules.find((l) => l.rule.id === 'wash-trading') as LoadedRule;
    expect(r).toEqual({
      kind: 'explain', file: 'default.avro', stoppedBy: 'end', recordsRead: 36_000, inputErrors: 0,
      explanation: { ...x, timeline: x.timeline.filter((e) => e.at >= from) },
      whyNot: {
        verdict,
        answer: 'ev-de308142a8ca (trade at 2026-02-03T12:20:18.765Z) did not extend #1 (leg1 ev-70be31ce425d), which waited for leg2: leg2 was false (it read e.side = "SELL", m.leg1.side = "BUY", e.qty = 2700, m.leg1.qty = 2200).',
        evidence: x.timeline.filter((e) => e.event !== null && NEAR_MISS.expect.includes(e.event.id)),
      },
      source: 'rules/wash-trading.ts:6',
      ruleLines: ['sequence within 5 s, skip skip-past-last-event', 'steps: leg1: trade -> leg2: trade'],
      text: explainOutput({ explanation: x, verdict, rule: rule.rule, source: 'rules/wash-trading.ts:6', inputErrors: 0 }, false),
    });
    // `from` narrows the timeline shown, not the history the answer reads.
    expect([verdict.reason.kind, verdict.read, x.timeline[0]?.event?.id, r.explanation.timeline[0]?.event?.id, x.timeline.length, r.explanation.timeline.length])
      .toEqual(['not-taken', NEAR_MISS.expect, 'ev-ac05e92d28f7', 'ev-70be31ce425d', 118, 38]);
  });

  it('explains a key over the first maxEvents records when the bound cuts the file, and keeps the worker\'s error codes', async () => {
    const jobs = new FileJobs(settings, modules, ENGINE, root);
    const r = await jobs.explain({ rule: 'brute-force', key: 'AC7409475', file: 'default.avro' });
    const x = explain(modules.map((l) => l.rule), events.slice(0, 5000), { ruleId: 'brute-force', key: 'AC7409475', engine: ENGINE });
    const rule = modules.find((l) => l.rule.id === 'brute-force') as LoadedRule;
    expect(r).toEqual({
      kind: 'explain', file: 'default.avro', stoppedBy: 'maxEvents', recordsRead: 5000, inputErrors: 0, explanation: x, whyNot: null,
      source: 'rules/brute-force.ts:6', ruleLines: ['threshold on login, sliding(10 min), skip skip-past-last-event', 'measures: failures, ips'],
      text: explainOutput({ explanation: x, verdict: undefined, rule: rule.rule, source: 'rules/brute-force.ts:6', inputErrors: 0 }, false),
    });
    const busy = jobs.backtest({ rules: ['brute-force'], file: 'default.avro', sampleAlerts: 0 });
    await expect(jobs.explain({ rule: 'brute-force', key: 'AC7409475', file: 'default.avro' })).rejects.toThrow(BUSY);
    await busy;
    await expect(jobs.explain({ rule: 'no-such-rule', key: 'AC7409475', file: 'default.avro' }))
      .rejects.toThrow('CEP_ERR_API_RULE_NOT_FOUND: no rule no-such-rule: explain_key explains the rules this runner loaded (list_rules)');
    const unread = await jobs.explain({ rule: 'brute-force', key: 'AC7409475', file: 'default.avro', expect: ['ev-elsewhere'] }).catch((err: unknown) => err);
    expect([unread instanceof CepError && unread.code, (unread as Error).message])
      .toEqual(['CEP_ERR_EXPLAIN_EXPECT', "CEP_ERR_EXPLAIN_EXPECT: rule 'brute-force' read none of the expected events at key 'AC7409475'\n  - not read: ev-elsewhere"]);
  });
});
