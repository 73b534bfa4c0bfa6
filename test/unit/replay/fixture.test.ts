// The committed fixture is the ground truth for the bundled rules: every planted scenario is
// detected, nothing else fires (no near miss, no background alert), and replays are
// byte-for-byte repeatable whatever the batch size. Also checks the JSON Lines twin.
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReplay } from '../../../src/cli/replay.ts';
import type { ReplayCliOptions } from '../../../src/cli/replay.ts';
import { bundledRuleIds } from '../../../src/rules/load-rules.ts';

const dir = mkdtempSync(join(tmpdir(), 'cepheus-fixture-'));
const options = (out: string, batchSize: number): ReplayCliOptions => ({ rules: [], out: join(dir, out), batchSize, outOfOrderMs: 5000, allowedLatenessMs: 0, progress: false });

describe('fixtures/default.avro with the bundled rules', () => {
  it('detects every planted scenario, fires on no near miss and on nothing else', async () => {
    const { summary } = await runReplay('fixtures/default.avro', options('a.jsonl', 1024));
    const perfect = { positives: 3, detected: 3, missed: [], alerts: 3, truePositiveAlerts: 3, falsePositiveAlerts: 0, nearMissAlerts: [], precision: 1, recall: 1 };
    expect(summary.scores).toEqual(Object.fromEntries(bundledRuleIds().map((id) => [id, perfect])));
    expect({ events: summary.events, inputErrors: summary.inputErrors, futureEvents: summary.futureEvents, late: summary.late, alerts: summary.alerts, ruleErrors: summary.ruleErrors, overflow: summary.overflowDropped })
      .toEqual({ events: 36_000, inputErrors: 0, futureEvents: 0, late: 13, alerts: 30, ruleErrors: 0, overflow: 0 });
  });

  it('writes identical alert files on a rerun and with another batch size, and from the JSON Lines copy', async () => {
    await runReplay('fixtures/default.avro', options('b.jsonl', 1024));
    await runReplay('fixtures/default.avro', options('c.jsonl', 7));
    await runReplay('fixtures/default.jsonl', options('d.jsonl', 100_000));
    const a = readFileSync(join(dir, 'b.jsonl'), 'utf8');
    expect(a.split('\n').filter(Boolean)).toHaveLength(30);
    expect(readFileSync(join(dir, 'c.jsonl'), 'utf8')).toBe(a);
    expect(readFileSync(join(dir, 'd.jsonl'), 'utf8')).toBe(a);
  });
});
