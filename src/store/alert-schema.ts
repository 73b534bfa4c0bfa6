// The alert store's tables, and the upgrade of a store written by an earlier version: the
// triage columns (assignee, disposition, updated_at) are added, and the old status_changes
// table moves into alert_activity (status changes, assignments and notes in one ordered log).
// Every step is idempotent, so opening a store any number of times changes it at most once.
import type { DatabaseSync } from 'node:sqlite';

const hasColumn = (db: DatabaseSync, table: string, column: string): boolean =>
  (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).some((c) => c.name === column);
const hasTable = (db: DatabaseSync, table: string): boolean =>
  db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;

export function migrate(db: DatabaseSync): void {
  db.exec(`
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = NORMAL;
    PRAGMA foreign_keys = ON;
    CREATE TABLE IF NOT EXISTS alerts (
      id TEXT PRIMARY KEY, rule_id TEXT NOT NULL, rule_version INTEGER NOT NULL, rule_kind TEXT NOT NULL, severity TEXT NOT NULL,
      key_space TEXT NOT NULL, key TEXT NOT NULL, first_ts INTEGER NOT NULL, last_ts INTEGER NOT NULL, detected_ts INTEGER NOT NULL,
      stored_at INTEGER NOT NULL, status TEXT NOT NULL, message TEXT NOT NULL, body TEXT NOT NULL);`);
  db.exec('BEGIN');
  try {
    for (const [column, type] of [['assignee', 'TEXT'], ['disposition', 'TEXT'], ['updated_at', 'INTEGER NOT NULL DEFAULT 0']] as const) {
      if (!hasColumn(db, 'alerts', column)) db.exec(`ALTER TABLE alerts ADD COLUMN ${column} ${type}`);
    }
    db.exec(`
      UPDATE alerts SET updated_at = stored_at WHERE updated_at = 0;
      CREATE INDEX IF NOT EXISTS alerts_newest ON alerts (detected_ts DESC, id);
      CREATE INDEX IF NOT EXISTS alerts_rule ON alerts (rule_id, detected_ts DESC);
      CREATE INDEX IF NOT EXISTS alerts_key ON alerts (key, detected_ts DESC);
      CREATE INDEX IF NOT EXISTS alerts_status ON alerts (status, detected_ts DESC);
      CREATE TABLE IF NOT EXISTS alert_activity (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, alert_id TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE, at INTEGER NOT NULL,
        kind TEXT NOT NULL, actor TEXT NOT NULL, from_value TEXT, to_value TEXT, disposition TEXT, note TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS alert_activity_alert ON alert_activity (alert_id, at, seq);
      CREATE TABLE IF NOT EXISTS shadow_alerts (
        id TEXT PRIMARY KEY, rule_id TEXT NOT NULL, rule_version INTEGER NOT NULL, key TEXT NOT NULL, detected_ts INTEGER NOT NULL,
        stored_at INTEGER NOT NULL, body TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS shadow_alerts_rule ON shadow_alerts (rule_id, detected_ts);`);
    if (hasTable(db, 'status_changes')) {
      db.exec(`
        INSERT INTO alert_activity (alert_id, at, kind, actor, from_value, to_value, disposition, note)
          SELECT alert_id, at, 'status', actor, from_status, to_status, NULL, note FROM status_changes ORDER BY at, rowid;
        UPDATE alerts SET updated_at = max(updated_at, (SELECT max(at) FROM status_changes WHERE alert_id = alerts.id))
          WHERE id IN (SELECT alert_id FROM status_changes);
        DROP TABLE status_changes;`);
    }
    db.exec('COMMIT');
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}
