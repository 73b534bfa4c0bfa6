// The triage queue over the store: filters combine (several values, unassigned, free text),
// every sort pages through all matching alerts once in order with keyset cursors (a cursor of
// another sort is refused), counts, case work recorded in the activity in order, bulk changes,
// dispositions give precision, listeners hear every change, and a store written by the previous
// version opens with its status history kept.
import { DatabaseSync } from 'node:sqlite';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runReplay } from '../../../src/cli/replay.ts';
import type { Alert } from '../../../src/core/alert.ts';
import { AlertStore, SORT_NAMES } from '../../../src/store/alert-store.ts';
import type { AlertSort, AlertSummary } from '../../../src/store/alert-store.ts';

let alerts: Alert[];
beforeAll(async () => {
  alerts = (await runReplay('fixtures/default.avro', { rules: [], batchSize: 1024, outOfOrderMs: 5000, allowedLatenessMs: 0, progress: false })).alerts;
});
const SEV = { critical: 3, high: 2, medium: 1, low: 0 } as const;
const all = (s: AlertStore, sort: AlertSort, filter = {}): AlertSummary[] => {
  const out: AlertSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = s.list(filter, 7, cursor, { sort });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return out;
};

describe('triage queue', () => {
  it('pages every sort through all alerts once, in order, ties by id', () => {
    const s = new AlertStore(':memory:');
    s.insertAll(alerts, 1);
    const value = (a: Alert, field: string): string | number => field === 'severity' ? SEV[a.severity] : field === 'rule' ? a.ruleId : field === 'key' ? a.key
      : field === 'first' ? a.firstEventTime : field === 'detected' ? a.detectedAtEventTime : field === 'status' ? 0 : field === 'assignee' ? '' : 1;
    for (const field of SORT_NAMES) {
      for (const order of ['asc', 'desc'] as const) {
        const expected = [...alerts].sort((a, b) => {
          const x = value(a, field);
          const y = value(b, field);
          return x === y ? (a.id < b.id ? -1 : 1) : (x < y) === (order === 'asc') ? -1 : 1;
        }).map((a) => a.id);
        expect([field, order, all(s, { field, order }).map((a) => a.id)]).toEqual([field, order, expected]);
      }
    }
    const page = s.list({}, 5, undefined, { sort: { field: 'rule', order: 'asc' } });
    expect(() => s.list({}, 5, page.nextCursor ?? undefined)).toThrow('CEP_ERR_STORE_CURSOR');
  });

  it('combines filters and counts what matches', () => {
    const s = new AlertStore(':memory:');
    s.insertAll(alerts, 1);
    const severe = alerts.filter((a) => a.severity === 'critical' || a.severity === 'high');
    expect(s.count({ severity: ['critical', 'high'] })).toBe(severe.length);
    const two = alerts.filter((a) => a.ruleId === 'spoofing' || a.ruleId === 'structuring');
    expect(s.list({ ruleId: ['spoofing', 'structuring'] }, 100, undefined, { count: true }).total).toBe(two.length);
    const target = alerts[0] as Alert;
    s.assign(target.id, 'ana', 'bo', '', 5);
    expect([s.count({ assignee: 'ana' }), s.count({ assignee: null })]).toEqual([1, alerts.length - 1]);
    const word = target.message.split(' ')[1] as string;
    expect(s.list({ text: `${word.toUpperCase()} ${target.key}` }, 100).items.map((a) => a.id)).toEqual(
      alerts.filter((a) => `${a.message} ${a.key}`.toLowerCase().includes(word.toLowerCase()) && `${a.message} ${a.key}`.includes(target.key))
        .sort((a, b) => b.detectedAtEventTime - a.detectedAtEventTime || (a.id < b.id ? -1 : 1)).map((a) => a.id));
    expect(s.count({ text: '100%_\\' })).toBe(0);
  });

  it('records case work in order, bulk changes with skips, precision, and tells listeners', () => {
    const s = new AlertStore(':memory:');
    s.insertAll(alerts.slice(0, 4), 1);
    const heard: string[] = [];
    s.watch((a) => heard.push(`${a.id.slice(0, 6)} ${a.status} ${a.assignee ?? '-'}`));
    const [a, b, c] = alerts as [Alert, Alert, Alert];
    s.assign(a.id, 'ana', 'bo', 'yours', 10);
    s.addNote(a.id, 'ana', 'calling', 11);
    s.setStatus(a.id, 'resolved', 'ana', 'fraud', 12, 'true-positive');
    expect(() => s.assign(a.id, 'ana', 'bo', '', 13)).toThrow('CEP_ERR_STORE_SAME_ASSIGNEE');
    expect(s.get(a.id)?.activity).toEqual([
      { kind: 'assign', at: 10, actor: 'bo', from: null, to: 'ana', note: 'yours' },
      { kind: 'note', at: 11, actor: 'ana', note: 'calling' },
      { kind: 'status', at: 12, actor: 'ana', from: 'open', to: 'resolved', note: 'fraud', disposition: 'true-positive' },
    ]);
    const bulk = s.setStatusMany([b.id, a.id, c.id, 'al_00000000000000000000000000000000'], 'resolved', 'bo', '', 14, 'false-positive');
    expect([bulk.changed.map((x) => x.id), bulk.skipped]).toEqual([[b.id, c.id], [
      { id: a.id, code: 'CEP_ERR_STORE_SAME_STATUS', message: `alert ${a.id} is already resolved` },
      { id: 'al_00000000000000000000000000000000', code: 'CEP_ERR_STORE_ALERT_NOT_FOUND', message: 'no alert al_00000000000000000000000000000000' },
    ]]);
    const byRule = new Map<string, number>();
    for (const x of [b, c]) byRule.set(x.ruleId, (byRule.get(x.ruleId) ?? 0) + 1);
    expect(s.dispositions().find((r) => r.ruleId === a.ruleId)?.precision).toBe(a.ruleId === b.ruleId || a.ruleId === c.ruleId ? 1 / (1 + (byRule.get(a.ruleId) ?? 0)) : 1);
    expect(heard).toEqual([`${a.id.slice(0, 6)} open ana`, `${a.id.slice(0, 6)} open ana`, `${a.id.slice(0, 6)} resolved ana`, `${b.id.slice(0, 6)} resolved -`, `${c.id.slice(0, 6)} resolved -`]);
  });

  it("opens a store of the previous version with its status history as activity", () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cepheus-old-')), 'alerts.db');
    const old = new DatabaseSync(path);
    old.exec(`CREATE TABLE alerts (id TEXT PRIMARY KEY, rule_id TEXT NOT NULL, rule_version INTEGER NOT NULL, rule_kind TEXT NOT NULL, severity TEXT NOT NULL,
        key_space TEXT NOT NULL, key TEXT NOT NULL, first_ts INTEGER NOT NULL, last_ts INTEGER NOT NULL, detected_ts INTEGER NOT NULL,
        stored_at INTEGER NOT NULL, status TEXT NOT NULL, message TEXT NOT NULL, body TEXT NOT NULL);
      CREATE TABLE status_changes (alert_id TEXT NOT NULL, at INTEGER NOT NULL, from_status TEXT NOT NULL, to_status TEXT NOT NULL, actor TEXT NOT NULL, note TEXT NOT NULL);
      INSERT INTO alerts VALUES ('al_${'1'.repeat(32)}', 'r', 1, 'sequence', 'low', 'account', 'k', 1, 2, 3, 4, 'acknowledged', 'm', '{"matched":[],"context":null,"aggregates":{}}');
      INSERT INTO status_changes VALUES ('al_${'1'.repeat(32)}', 9, 'open', 'acknowledged', 'ana', 'old note');`);
    old.close();
    const s = new AlertStore(path);
    expect(s.get(`al_${'1'.repeat(32)}`)).toMatchObject({ status: 'acknowledged', updatedAt: 9, assignee: null, history: [{ at: 9, from: 'open', to: 'acknowledged', actor: 'ana', note: 'old note', disposition: null }] });
    s.close();
    expect(new AlertStore(path).count()).toBe(1);
  });
});
