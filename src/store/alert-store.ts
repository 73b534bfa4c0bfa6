// The alert store: embedded, durable, no server (node:sqlite, one file). Idempotent on alert
// id (the same alert from a replay or a redelivered Kafka record is stored once), newest-first
// listing with filters and opaque cursors stable under inserts, and status changes
// (open → acknowledged → resolved, or back) with who, when and why, every change kept.
import { DatabaseSync } from 'node:sqlite';
import type { Alert } from '../core/alert.ts';
import { CepError } from '../core/errors.ts';
import type { Severity } from '../core/rule-types.ts';

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export interface StatusChange {
  readonly at: number;
  readonly from: AlertStatus;
  readonly to: AlertStatus;
  readonly actor: string;
  readonly note: string;
}

export interface StoredAlert extends Alert {
  readonly status: AlertStatus;
  /** Wall-clock ms when the store received the alert. */
  readonly storedAt: number;
  readonly history: readonly StatusChange[];
}

export type AlertSummary = Omit<StoredAlert, 'matched' | 'context' | 'history' | 'aggregates'>;

export interface AlertFilter {
  readonly ruleId?: string;
  readonly key?: string;
  readonly severity?: Severity;
  readonly status?: AlertStatus;
  /** Time range, ms, inclusive, on `time`: the detection event time (default) or when stored. */
  readonly from?: number;
  readonly to?: number;
  readonly time?: 'event' | 'stored';
}

export interface AlertPage {
  readonly items: readonly AlertSummary[];
  readonly nextCursor: string | null;
}

interface Row {
  id: string;
  rule_id: string;
  rule_version: number;
  rule_kind: string;
  severity: string;
  key_space: string;
  key: string;
  first_ts: number;
  last_ts: number;
  detected_ts: number;
  stored_at: number;
  status: string;
  message: string;
  body: string;
}

const SUMMARY_COLUMNS = 'id, rule_id, rule_version, rule_kind, severity, key_space, key, first_ts, last_ts, detected_ts, stored_at, status, message';

function summaryOf(r: Row): AlertSummary {
  return {
    id: r.id as Alert['id'], ruleId: r.rule_id, ruleVersion: r.rule_version, ruleKind: r.rule_kind as Alert['ruleKind'], severity: r.severity as Severity,
    keySpace: r.key_space, key: r.key, firstEventTime: r.first_ts as Alert['firstEventTime'], lastEventTime: r.last_ts as Alert['lastEventTime'],
    detectedAtEventTime: r.detected_ts as Alert['detectedAtEventTime'], storedAt: r.stored_at, status: r.status as AlertStatus, message: r.message,
  };
}

const encodeCursor = (t: number, id: string): string => Buffer.from(`${t}:${id}`).toString('base64url');
function decodeCursor(c: string): { t: number; id: string } {
  const m = /^(-?\d+):(al_[0-9a-f]{32})$/.exec(Buffer.from(c, 'base64url').toString('utf8'));
  if (m === null) throw new CepError('CEP_ERR_STORE_CURSOR', 'cursor is not one this store returned; start without it');
  return { t: Number(m[1]), id: m[2] as string };
}

export class AlertStore {
  private readonly db: DatabaseSync;
  private readonly insertStmt;
  private readonly historyStmt;

  /** Opens (creating if needed) the store at `path`; ':memory:' for tests. */
  constructor(path: string) {
    this.db = new DatabaseSync(path);
    this.db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      PRAGMA foreign_keys = ON;
      CREATE TABLE IF NOT EXISTS alerts (
        id TEXT PRIMARY KEY, rule_id TEXT NOT NULL, rule_version INTEGER NOT NULL, rule_kind TEXT NOT NULL, severity TEXT NOT NULL,
        key_space TEXT NOT NULL, key TEXT NOT NULL, first_ts INTEGER NOT NULL, last_ts INTEGER NOT NULL, detected_ts INTEGER NOT NULL,
        stored_at INTEGER NOT NULL, status TEXT NOT NULL, message TEXT NOT NULL, body TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS alerts_newest ON alerts (detected_ts DESC, id);
      CREATE INDEX IF NOT EXISTS alerts_rule ON alerts (rule_id, detected_ts DESC);
      CREATE INDEX IF NOT EXISTS alerts_key ON alerts (key, detected_ts DESC);
      CREATE TABLE IF NOT EXISTS status_changes (
        alert_id TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE, at INTEGER NOT NULL, from_status TEXT NOT NULL,
        to_status TEXT NOT NULL, actor TEXT NOT NULL, note TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS status_changes_alert ON status_changes (alert_id, at);`);
    this.insertStmt = this.db.prepare(`INSERT OR IGNORE INTO alerts (${SUMMARY_COLUMNS}, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)`);
    this.historyStmt = this.db.prepare('SELECT at, from_status, to_status, actor, note FROM status_changes WHERE alert_id = ? ORDER BY at, rowid');
  }

  /** Stores an alert; false when it was already there (idempotent on id). */
  insert(alert: Alert, storedAt: number): boolean {
    const body = JSON.stringify({ matched: alert.matched, context: alert.context, aggregates: alert.aggregates });
    const r = this.insertStmt.run(alert.id, alert.ruleId, alert.ruleVersion, alert.ruleKind, alert.severity, alert.keySpace, alert.key,
      alert.firstEventTime, alert.lastEventTime, alert.detectedAtEventTime, storedAt, alert.message, body);
    return Number(r.changes) === 1;
  }

  /** Inserts many in one transaction; returns how many were new. */
  insertAll(alerts: readonly Alert[], storedAt: number): number {
    let added = 0;
    this.db.exec('BEGIN');
    try {
      for (const a of alerts) if (this.insert(a, storedAt)) added++;
      this.db.exec('COMMIT');
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
    return added;
  }

  get(id: string): StoredAlert | undefined {
    const r = this.db.prepare(`SELECT ${SUMMARY_COLUMNS}, body FROM alerts WHERE id = ?`).get(id) as Row | undefined;
    if (r === undefined) return undefined;
    const body = JSON.parse(r.body) as Pick<Alert, 'matched' | 'context' | 'aggregates'>;
    const history = (this.historyStmt.all(id) as { at: number; from_status: string; to_status: string; actor: string; note: string }[])
      .map((h) => ({ at: h.at, from: h.from_status as AlertStatus, to: h.to_status as AlertStatus, actor: h.actor, note: h.note }));
    return { ...summaryOf(r), ...body, history };
  }

  /** Newest first (detection event time, then id); `cursor` continues a previous page. */
  list(filter: AlertFilter, limit: number, cursor?: string): AlertPage {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const eq = (col: string, v: string | undefined): void => {
      if (v !== undefined) {
        where.push(`${col} = ?`);
        args.push(v);
      }
    };
    eq('rule_id', filter.ruleId);
    eq('key', filter.key);
    eq('severity', filter.severity);
    eq('status', filter.status);
    const timeColumn = filter.time === 'stored' ? 'stored_at' : 'detected_ts';
    if (filter.from !== undefined) {
      where.push(`${timeColumn} >= ?`);
      args.push(filter.from);
    }
    if (filter.to !== undefined) {
      where.push(`${timeColumn} <= ?`);
      args.push(filter.to);
    }
    if (cursor !== undefined) {
      const c = decodeCursor(cursor);
      where.push('(detected_ts < ? OR (detected_ts = ? AND id > ?))');
      args.push(c.t, c.t, c.id);
    }
    const sql = `SELECT ${SUMMARY_COLUMNS} FROM alerts ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY detected_ts DESC, id LIMIT ?`;
    const rows = this.db.prepare(sql).all(...args, limit + 1) as unknown as Row[];
    const items = rows.slice(0, limit).map(summaryOf);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.detectedAtEventTime, last.id) : null };
  }

  /** Changes an alert's status, keeping who, when and why. */
  setStatus(id: string, to: AlertStatus, actor: string, note: string, at: number): StoredAlert {
    const current = this.db.prepare('SELECT status FROM alerts WHERE id = ?').get(id) as { status: AlertStatus } | undefined;
    if (current === undefined) throw new CepError('CEP_ERR_STORE_ALERT_NOT_FOUND', `no alert ${id}`);
    if (current.status === to) throw new CepError('CEP_ERR_STORE_SAME_STATUS', `alert ${id} is already ${to}`);
    this.db.exec('BEGIN');
    try {
      this.db.prepare('UPDATE alerts SET status = ? WHERE id = ?').run(to, id);
      this.db.prepare('INSERT INTO status_changes (alert_id, at, from_status, to_status, actor, note) VALUES (?, ?, ?, ?, ?, ?)').run(id, at, current.status, to, actor, note);
      this.db.exec('COMMIT');
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
    return this.get(id) as StoredAlert;
  }

  count(): number {
    return Number((this.db.prepare('SELECT count(*) AS n FROM alerts').get() as { n: number }).n);
  }

  /** Retention: drops alerts stored before `olderThan` (wall ms) and keeps at most `maxCount` newest. */
  prune(olderThan: number | undefined, maxCount: number | undefined): number {
    let removed = 0;
    if (olderThan !== undefined) removed += Number(this.db.prepare('DELETE FROM alerts WHERE stored_at < ?').run(olderThan).changes);
    if (maxCount !== undefined) {
      removed += Number(this.db.prepare('DELETE FROM alerts WHERE id NOT IN (SELECT id FROM alerts ORDER BY detected_ts DESC, id LIMIT ?)').run(maxCount).changes);
    }
    return removed;
  }

  close(): void {
    this.db.close();
  }
}
