// The audit log: every operator change that alters what the engine decides, kept in the
// store's file (node:sqlite) so it outlives restarts, and never pruned. General on purpose:
// one row per change, whatever it is (a watermark reset now; rule changes later).
//
//   id        increasing, never reused
//   at        wall ms the change was applied
//   actor     the identity of the token that asked (src/http/auth.ts requestIdentity), never a
//             name the client sent
//   action    what was done: 'watermark.reset', ...
//   target    what it was done to: '<topic>/<partition>', a rule id, ...
//   before    the target's state before, and `after` after it (JSON values)
//   comment   why, in the actor's words
//
// Newest first; a page continues below the last id it returned (opaque cursor).
import { DatabaseSync } from 'node:sqlite';
import { CepError } from '../core/errors.ts';
import type { JsonValue } from '../core/json.ts';

export interface AuditEntry {
  readonly id: number;
  readonly at: number;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly before: JsonValue;
  readonly after: JsonValue;
  readonly comment: string;
}

export type NewAuditEntry = Omit<AuditEntry, 'id'>;

export interface AuditFilter {
  readonly action?: string;
  readonly target?: string;
  readonly actor?: string;
}

export interface AuditPage {
  readonly items: readonly AuditEntry[];
  readonly nextCursor: string | null;
}

interface Row {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  before: string;
  after: string;
  comment: string;
}

const entryOf = (r: Row): AuditEntry => ({
  id: Number(r.id), at: Number(r.at), actor: r.actor, action: r.action, target: r.target, before: JSON.parse(r.before) as JsonValue, after: JSON.parse(r.after) as JsonValue, comment: r.comment,
});

const encodeCursor = (id: number): string => Buffer.from(`audit:${id}`).toString('base64url');
function decodeCursor(c: string): number {
  const m = /^audit:(\d+)$/.exec(Buffer.from(c, 'base64url').toString('utf8'));
  if (m === null) throw new CepError('CEP_ERR_STORE_CURSOR', 'cursor is not one this audit log returned; start without it');
  return Number(m[1]);
}

export class AuditLog {
  private readonly db: DatabaseSync;

  /** Opens (creating if needed) the audit table in the store file at `path`; ':memory:' for tests. */
  constructor(path: string) {
    this.db = new DatabaseSync(path);
    this.db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA busy_timeout = 5000;
      CREATE TABLE IF NOT EXISTS audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL,
        before TEXT NOT NULL, after TEXT NOT NULL, comment TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS audit_log_target ON audit_log (target, id DESC);
      CREATE INDEX IF NOT EXISTS audit_log_action ON audit_log (action, id DESC);`);
  }

  /** Records one change; returns it with its id. */
  append(e: NewAuditEntry): AuditEntry {
    const r = this.db.prepare('INSERT INTO audit_log (at, actor, action, target, before, after, comment) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(e.at, e.actor, e.action, e.target, JSON.stringify(e.before), JSON.stringify(e.after), e.comment);
    return { id: Number(r.lastInsertRowid), ...e };
  }

  /** Newest first; `cursor` continues a previous page. */
  list(filter: AuditFilter, limit: number, cursor?: string): AuditPage {
    const where: string[] = [];
    const args: (string | number)[] = [];
    for (const [col, v] of [['action', filter.action], ['target', filter.target], ['actor', filter.actor]] as const) {
      if (v === undefined) continue;
      where.push(`${col} = ?`);
      args.push(v);
    }
    if (cursor !== undefined) {
      where.push('id < ?');
      args.push(decodeCursor(cursor));
    }
    const sql = `SELECT id, at, actor, action, target, before, after, comment FROM audit_log ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...args, limit + 1) as unknown as Row[];
    const items = rows.slice(0, limit).map(entryOf);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.id) : null };
  }

  close(): void {
    this.db.close();
  }
}
