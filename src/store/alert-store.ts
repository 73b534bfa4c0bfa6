// The alert store: embedded, durable, no server (node:sqlite, one file). Idempotent on alert
// id (the same alert from a replay or a redelivered Kafka record is stored once), the triage
// queue's listing (alert-query.ts: filters, any sort, keyset cursors stable under inserts,
// counts), and case work: status changes (a resolution carries a disposition), assignment and
// notes, each kept in the alert's activity with who (the token's name, never the client's
// word) and when. Listeners hear every change, whoever made it (REST, bulk, MCP), so live
// views follow without polling.
import { DatabaseSync } from 'node:sqlite';
import type { Alert } from '../core/alert.ts';
import { CepError } from '../core/errors.ts';
import type { Severity } from '../core/rule-types.ts';
import { DEFAULT_SORT, encodeCursor, pageQuery, whereOf } from './alert-query.ts';
import type { AlertFilter, AlertSort, AlertStatus, Disposition } from './alert-query.ts';
import { alertRates, dispositionCounts } from './alert-stats.ts';
import type { AlertRates, RuleDispositions } from './alert-stats.ts';
import { migrate } from './alert-schema.ts';

export { ALERT_STATUSES, DISPOSITIONS, SORT_NAMES } from './alert-query.ts';
export type { AlertFilter, AlertSort, AlertStatus, Disposition, SortField } from './alert-query.ts';
export type { AlertRates, RuleDispositions } from './alert-stats.ts';

export interface StatusChange {
  readonly at: number;
  readonly from: AlertStatus;
  readonly to: AlertStatus;
  readonly actor: string;
  readonly note: string;
  /** Set when the change resolved the alert with a disposition. */
  readonly disposition: Disposition | null;
}

/** One entry of an alert's case history. */
export type Activity =
  | ({ readonly kind: 'status' } & StatusChange)
  | { readonly kind: 'assign'; readonly at: number; readonly actor: string; readonly from: string | null; readonly to: string | null; readonly note: string }
  | { readonly kind: 'note'; readonly at: number; readonly actor: string; readonly note: string };

export interface StoredAlert extends Alert {
  readonly status: AlertStatus;
  /** How it was resolved; null unless resolved with one. */
  readonly disposition: Disposition | null;
  readonly assignee: string | null;
  /** Wall-clock ms when the store received the alert. */
  readonly storedAt: number;
  /** Wall-clock ms of the last change (stored, status, assignment, note). */
  readonly updatedAt: number;
  /** Status changes only (the status part of `activity`). */
  readonly history: readonly StatusChange[];
  /** Every status change, assignment and note, oldest first. */
  readonly activity: readonly Activity[];
}

export type AlertSummary = Omit<StoredAlert, 'matched' | 'context' | 'history' | 'activity' | 'aggregates'>;

export interface AlertPage {
  readonly items: readonly AlertSummary[];
  readonly nextCursor: string | null;
  /** Alerts matching the filter (all pages), when counted. */
  readonly total?: number;
}

export interface ListOptions {
  readonly sort?: AlertSort;
  /** Also count every alert matching the filter (one more query). */
  readonly count?: boolean;
}

/** The outcome of a change applied to many alerts: those changed, and why the others were not. */
export interface BulkResult {
  readonly changed: readonly AlertSummary[];
  readonly skipped: readonly { readonly id: string; readonly code: 'CEP_ERR_STORE_ALERT_NOT_FOUND' | 'CEP_ERR_STORE_SAME_STATUS'; readonly message: string }[];
}

interface Row {
  id: string; rule_id: string; rule_version: number; rule_kind: string; severity: string; key_space: string; key: string;
  first_ts: number; last_ts: number; detected_ts: number; stored_at: number; updated_at: number; status: string;
  disposition: string | null; assignee: string | null; message: string; body: string;
}
interface ActivityRow { at: number; kind: string; actor: string; from_value: string | null; to_value: string | null; disposition: string | null; note: string }

const SUMMARY_COLUMNS = 'id, rule_id, rule_version, rule_kind, severity, key_space, key, first_ts, last_ts, detected_ts, stored_at, updated_at, status, disposition, assignee, message';

function summaryOf(r: Row): AlertSummary {
  return {
    id: r.id as Alert['id'], ruleId: r.rule_id, ruleVersion: r.rule_version, ruleKind: r.rule_kind as Alert['ruleKind'], severity: r.severity as Severity,
    keySpace: r.key_space, key: r.key, firstEventTime: r.first_ts as Alert['firstEventTime'], lastEventTime: r.last_ts as Alert['lastEventTime'],
    detectedAtEventTime: r.detected_ts as Alert['detectedAtEventTime'], storedAt: r.stored_at, updatedAt: r.updated_at, status: r.status as AlertStatus,
    disposition: r.disposition as Disposition | null, assignee: r.assignee, message: r.message,
  };
}

/** The summary of an alert just stored (what the live stream announces). */
export function newAlertSummary(a: Alert, storedAt: number): AlertSummary {
  const { matched: _m, context: _c, aggregates: _g, ...rest } = a;
  return { ...rest, status: 'open', disposition: null, assignee: null, storedAt, updatedAt: storedAt };
}

function activityOf(h: ActivityRow): Activity {
  switch (h.kind) {
    case 'status': return { kind: 'status', at: h.at, actor: h.actor, from: h.from_value as AlertStatus, to: h.to_value as AlertStatus, note: h.note, disposition: h.disposition as Disposition | null };
    case 'assign': return { kind: 'assign', at: h.at, actor: h.actor, from: h.from_value, to: h.to_value, note: h.note };
    default: return { kind: 'note', at: h.at, actor: h.actor, note: h.note };
  }
}

export class AlertStore {
  private readonly db: DatabaseSync;
  private readonly insertStmt;
  private readonly activityStmt;
  private readonly addActivityStmt;
  private readonly listeners = new Set<(a: AlertSummary) => void>();

  /** Opens (creating or upgrading if needed) the store at `path`; ':memory:' for tests. */
  constructor(path: string) {
    this.db = new DatabaseSync(path);
    migrate(this.db);
    this.insertStmt = this.db.prepare(`INSERT OR IGNORE INTO alerts (${SUMMARY_COLUMNS}, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', NULL, NULL, ?, ?)`);
    this.activityStmt = this.db.prepare('SELECT at, kind, actor, from_value, to_value, disposition, note FROM alert_activity WHERE alert_id = ? ORDER BY at, seq');
    this.addActivityStmt = this.db.prepare('INSERT INTO alert_activity (alert_id, at, kind, actor, from_value, to_value, disposition, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  }

  /** Stores an alert; false when it was already there (idempotent on id). */
  insert(alert: Alert, storedAt: number): boolean {
    const body = JSON.stringify({ matched: alert.matched, context: alert.context, aggregates: alert.aggregates });
    const r = this.insertStmt.run(alert.id, alert.ruleId, alert.ruleVersion, alert.ruleKind, alert.severity, alert.keySpace, alert.key,
      alert.firstEventTime, alert.lastEventTime, alert.detectedAtEventTime, storedAt, storedAt, alert.message, body);
    return Number(r.changes) === 1;
  }

  /** Inserts many in one transaction; returns how many were new. */
  insertAll(alerts: readonly Alert[], storedAt: number): number {
    return this.transaction(() => alerts.reduce((n, a) => n + (this.insert(a, storedAt) ? 1 : 0), 0));
  }

  /** Stores an alert of a candidate in shadow (shadow mode: never in the triage queue); false when it was already there. */
  insertShadow(alert: Alert, storedAt: number): boolean {
    const r = this.db.prepare('INSERT OR IGNORE INTO shadow_alerts (id, rule_id, rule_version, key, detected_ts, stored_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(alert.id, alert.ruleId, alert.ruleVersion, alert.key, alert.detectedAtEventTime, storedAt, JSON.stringify(alert));
    return Number(r.changes) === 1;
  }

  /** Shadow alerts of a rule (any version) detected in [from, to], in detection order. */
  shadowAlerts(ruleId: string, from: number, to = Number.MAX_SAFE_INTEGER): Alert[] {
    const rows = this.db.prepare('SELECT body FROM shadow_alerts WHERE rule_id = ? AND detected_ts >= ? AND detected_ts <= ? ORDER BY detected_ts, id').all(ruleId, from, to) as unknown as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as Alert);
  }

  /** Alerts of a rule (any version) detected in [from, to], in detection order, whole (what the shadow diff pairs). */
  alertsOf(ruleId: string, from: number, to = Number.MAX_SAFE_INTEGER): Alert[] {
    const rows = this.db.prepare(`SELECT ${SUMMARY_COLUMNS}, body FROM alerts WHERE rule_id = ? AND detected_ts >= ? AND detected_ts <= ? ORDER BY detected_ts, id`).all(ruleId, from, to) as unknown as Row[];
    return rows.map((r) => {
      const { storedAt: _s, updatedAt: _u, status: _t, disposition: _d, assignee: _a, ...a } = summaryOf(r);
      return { ...a, ...(JSON.parse(r.body) as Pick<Alert, 'matched' | 'context' | 'aggregates'>) };
    });
  }

  get(id: string): StoredAlert | undefined {
    const r = this.db.prepare(`SELECT ${SUMMARY_COLUMNS}, body FROM alerts WHERE id = ?`).get(id) as Row | undefined;
    if (r === undefined) return undefined;
    const body = JSON.parse(r.body) as Pick<Alert, 'matched' | 'context' | 'aggregates'>;
    const activity = (this.activityStmt.all(id) as unknown as ActivityRow[]).map(activityOf);
    const history = activity.flatMap((a) => (a.kind === 'status' ? [{ at: a.at, from: a.from, to: a.to, actor: a.actor, note: a.note, disposition: a.disposition }] : []));
    return { ...summaryOf(r), ...body, history, activity };
  }

  summary(id: string): AlertSummary | undefined {
    const r = this.db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM alerts WHERE id = ?`).get(id) as Row | undefined;
    return r === undefined ? undefined : summaryOf(r);
  }

  /** One page in `sort` order (default: newest detection first); `cursor` continues a previous page. */
  list(filter: AlertFilter, limit: number, cursor?: string, opts: ListOptions = {}): AlertPage {
    const sort = opts.sort ?? DEFAULT_SORT;
    const q = pageQuery(SUMMARY_COLUMNS, filter, sort, limit, cursor);
    const rows = this.db.prepare(q.sql).all(...q.args) as unknown as (Row & { sort_value: string | number })[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor = rows.length > limit && last !== undefined ? encodeCursor({ sort, value: last.sort_value, id: last.id }) : null;
    return { items: page.map(summaryOf), nextCursor, ...(opts.count === true ? { total: this.count(filter) } : {}) };
  }

  /** Changes an alert's status, keeping who, when and why; `disposition` only when resolving. */
  setStatus(id: string, to: AlertStatus, actor: string, note: string, at: number, disposition: Disposition | null = null): StoredAlert {
    this.transaction(() => this.changeStatus(id, to, actor, note, at, disposition));
    return this.changed(id);
  }

  /** The same status change on many alerts in one transaction; alerts already there (or unknown) are skipped with their code. */
  setStatusMany(ids: readonly string[], to: AlertStatus, actor: string, note: string, at: number, disposition: Disposition | null = null): BulkResult {
    const changedIds: string[] = [];
    const skipped: BulkResult['skipped'][number][] = [];
    this.transaction(() => {
      for (const id of new Set(ids)) {
        try {
          this.changeStatus(id, to, actor, note, at, disposition);
          changedIds.push(id);
        } catch (err) {
          if (!(err instanceof CepError) || (err.code !== 'CEP_ERR_STORE_ALERT_NOT_FOUND' && err.code !== 'CEP_ERR_STORE_SAME_STATUS')) throw err;
          skipped.push({ id, code: err.code, message: err.detail });
        }
      }
    });
    return { changed: changedIds.map((id) => this.changed(id)), skipped };
  }

  /** Assigns an alert to someone (null: unassigns it). */
  assign(id: string, assignee: string | null, actor: string, note: string, at: number): StoredAlert {
    this.transaction(() => {
      const current = this.db.prepare('SELECT assignee FROM alerts WHERE id = ?').get(id) as { assignee: string | null } | undefined;
      if (current === undefined) throw new CepError('CEP_ERR_STORE_ALERT_NOT_FOUND', `no alert ${id}`);
      if (current.assignee === assignee) throw new CepError('CEP_ERR_STORE_SAME_ASSIGNEE', assignee === null ? `alert ${id} is not assigned` : `alert ${id} is already assigned to ${assignee}`);
      this.db.prepare('UPDATE alerts SET assignee = ?, updated_at = ? WHERE id = ?').run(assignee, at, id);
      this.addActivityStmt.run(id, at, 'assign', actor, current.assignee, assignee, null, note);
    });
    return this.changed(id);
  }

  /** Adds a note to an alert's activity. */
  addNote(id: string, actor: string, note: string, at: number): StoredAlert {
    this.transaction(() => {
      if (this.db.prepare('SELECT 1 FROM alerts WHERE id = ?').get(id) === undefined) throw new CepError('CEP_ERR_STORE_ALERT_NOT_FOUND', `no alert ${id}`);
      this.db.prepare('UPDATE alerts SET updated_at = ? WHERE id = ?').run(at, id);
      this.addActivityStmt.run(id, at, 'note', actor, null, null, null, note);
    });
    return this.changed(id);
  }

  /** Hears every change to an alert (status, assignment, note) as its new summary; returns the unsubscribe function. */
  watch(fn: (a: AlertSummary) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Alerts matching a filter (all of them without one). */
  count(filter: AlertFilter = {}): number {
    const w = whereOf(filter);
    return Number((this.db.prepare(`SELECT count(*) AS n FROM alerts ${w.sql === '' ? '' : `WHERE ${w.sql}`}`).get(...w.args) as { n: number }).n);
  }

  /** Alerts per rule per time bucket of detection event time (the console's alert-rate chart). */
  rates(filter: AlertFilter, buckets: number): AlertRates {
    return alertRates(this.db, filter, buckets);
  }

  /** Resolved alerts per rule by disposition, and the precision they give. */
  dispositions(filter: AlertFilter = {}): RuleDispositions[] {
    return dispositionCounts(this.db, filter);
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

  /** Empties the store (alerts and their activity). */
  clear(): number {
    return Number(this.db.prepare('DELETE FROM alerts').run().changes);
  }

  close(): void {
    this.listeners.clear();
    this.db.close();
  }

  private changeStatus(id: string, to: AlertStatus, actor: string, note: string, at: number, disposition: Disposition | null): void {
    if (disposition !== null && to !== 'resolved') throw new CepError('CEP_ERR_STORE_DISPOSITION', `a disposition (${disposition}) goes with resolving an alert, not with '${to}'`);
    const current = this.db.prepare('SELECT status FROM alerts WHERE id = ?').get(id) as { status: AlertStatus } | undefined;
    if (current === undefined) throw new CepError('CEP_ERR_STORE_ALERT_NOT_FOUND', `no alert ${id}`);
    if (current.status === to) throw new CepError('CEP_ERR_STORE_SAME_STATUS', `alert ${id} is already ${to}`);
    this.db.prepare('UPDATE alerts SET status = ?, disposition = ?, updated_at = ? WHERE id = ?').run(to, disposition, at, id);
    this.addActivityStmt.run(id, at, 'status', actor, current.status, to, disposition, note);
  }

  private changed(id: string): StoredAlert {
    const a = this.get(id) as StoredAlert;
    const { matched: _m, context: _c, aggregates: _g, history: _h, activity: _a, ...summary } = a;
    for (const fn of this.listeners) fn(summary);
    return a;
  }

  private transaction<T>(f: () => T): T {
    this.db.exec('BEGIN');
    try {
      const r = f();
      this.db.exec('COMMIT');
      return r;
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }
}
