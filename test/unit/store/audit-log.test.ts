// The audit log: entries come back whole, newest first, filtered and paged with an opaque
// cursor; a cursor it did not return is refused with a code; the log outlives a reopen of the
// store file (what a restart does), next to the alert store's tables.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlertStore } from '../../../src/store/alert-store.ts';
import { AuditLog } from '../../../src/store/audit-log.ts';
import type { NewAuditEntry } from '../../../src/store/audit-log.ts';

const reset = (n: number, target = 'logins/0'): NewAuditEntry => ({
  at: 1_000 + n, actor: n % 2 === 0 ? 'ops-ana' : 'ops-bo', action: 'watermark.reset', target,
  before: { maxEventTime: 4_102_444_800_000, watermark: 4_102_444_795_000, active: true, globalWatermark: 4_102_444_795_000 },
  after: { maxEventTime: 1_770_000_005_000 + n, watermark: 1_770_000_000_000 + n, active: true, globalWatermark: 1_770_000_000_000 + n, to: 1_770_000_000_000 + n },
  comment: `runaway producer, take ${n}`,
});

describe('audit log', () => {
  it('returns entries whole, newest first, by action, target and actor, page by page', () => {
    const log = new AuditLog(':memory:');
    const added = [0, 1, 2, 3, 4].map((n) => log.append(reset(n, n < 3 ? 'logins/0' : 'trades/1')));
    expect(added.map((e) => e.id)).toEqual([1, 2, 3, 4, 5]);
    expect(log.list({}, 50)).toEqual({ items: [...added].reverse(), nextCursor: null });
    expect(log.list({ target: 'logins/0', actor: 'ops-ana' }, 50).items.map((e) => e.id)).toEqual([3, 1]);
    expect(log.list({ action: 'rule.disable' }, 50)).toEqual({ items: [], nextCursor: null });
    const pages: number[][] = [];
    let cursor: string | undefined;
    do {
      const p = log.list({}, 2, cursor);
      pages.push(p.items.map((e) => e.id));
      cursor = p.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(pages).toEqual([[5, 4], [3, 2], [1]]);
    expect(() => log.list({}, 2, 'bm9wZQ')).toThrow('CEP_ERR_STORE_CURSOR: cursor is not one this audit log returned; start without it');
    log.close();
  });

  it('outlives a reopen of the store file, beside the alert store', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cepheus-audit-')), 'alerts.db');
    const store = new AlertStore(file);
    const first = new AuditLog(file);
    const entry = first.append(reset(7));
    first.close();
    store.close();
    const again = new AuditLog(file);
    expect(again.list({}, 50).items).toEqual([entry]);
    expect(again.append(reset(8)).id).toBe(2);
    again.close();
  });
});
