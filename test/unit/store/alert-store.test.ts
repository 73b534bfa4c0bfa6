// The alert store survives a reopen, is idempotent on alert id, pages stably under inserts,
// and applies retention.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlertStore } from '../../../src/store/alert-store.ts';
import { login, run } from '../../../src/testing.ts';
import { keyBy, sequence } from '../../../src/core/rule-api.ts';
import { ms } from '../../../src/events/time.ts';

const byAccount = keyBy('account', { login: (e) => e.account });
const rule = sequence({
  id: 'each-login', version: 1, severity: 'low', description: 'every login', key: byAccount,
  within: ms(1), skip: 'no-skip', pattern: (p) => p.begin('l', 'login'),
});
const alerts = run([rule], Array.from({ length: 12 }, (_, i) => login(`l${i}`, 1000 + Math.floor(i / 2)))).alerts;

describe('AlertStore', () => {
  it('keeps alerts and statuses across a reopen, and stores each alert once', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cepheus-store-')), 'alerts.db');
    const a = new AlertStore(path);
    expect(a.insertAll(alerts, 5)).toBe(12);
    expect(a.insertAll(alerts, 6)).toBe(0);
    a.setStatus(alerts[0]?.id as string, 'acknowledged', 'ana', 'on it', 7);
    a.close();
    const b = new AlertStore(path);
    expect(b.count()).toBe(12);
    expect(b.get(alerts[0]?.id as string)).toEqual({
      ...JSON.parse(JSON.stringify(alerts[0])), status: 'acknowledged', disposition: null, assignee: null, storedAt: 5, updatedAt: 7,
      history: [{ at: 7, from: 'open', to: 'acknowledged', actor: 'ana', note: 'on it', disposition: null }],
      activity: [{ kind: 'status', at: 7, from: 'open', to: 'acknowledged', actor: 'ana', note: 'on it', disposition: null }],
    });
    b.close();
  });

  it('pages newest first without gaps or repeats while alerts keep arriving', () => {
    const s = new AlertStore(':memory:');
    s.insertAll(alerts.slice(0, 8), 1);
    const first = s.list({}, 5);
    s.insertAll(alerts.slice(8), 2); // newer alerts arrive between two pages
    const second = s.list({}, 5, first.nextCursor ?? undefined);
    const seen = [...first.items, ...second.items].map((x) => x.id);
    const expected = [...alerts.slice(0, 8)].sort((x, y) => y.detectedAtEventTime - x.detectedAtEventTime || (x.id < y.id ? -1 : 1)).map((x) => x.id);
    expect(seen).toEqual(expected);
    expect(second.nextCursor).toBeNull();
    expect(s.list({ from: 1005, to: 1005 }, 50).items.map((x) => x.detectedAtEventTime)).toEqual([1005, 1005]);
    s.close();
  });

  it('applies retention by count and by age', () => {
    const s = new AlertStore(':memory:');
    s.insertAll(alerts.slice(0, 6), 100);
    s.insertAll(alerts.slice(6), 200);
    expect(s.prune(150, undefined)).toBe(6);
    expect(s.prune(undefined, 2)).toBe(4);
    expect(s.list({}, 50).items.map((x) => x.id)).toEqual([...alerts].sort((x, y) => y.detectedAtEventTime - x.detectedAtEventTime || (x.id < y.id ? -1 : 1)).slice(0, 2).map((x) => x.id));
    s.close();
  });
});
