// Rules enabled or disabled through the API, kept in the store's file (table rule_switches)
// so a restart of the demo starts them as they were left: who switched each, and when.
import { DatabaseSync } from 'node:sqlite';

export interface RuleSwitch {
  readonly ruleId: string;
  readonly enabled: boolean;
  readonly actor: string;
  readonly at: number;
}

export class RuleSwitches {
  private readonly db: DatabaseSync;

  constructor(path: string) {
    this.db = new DatabaseSync(path);
    this.db.exec(`PRAGMA journal_mode = WAL;
      CREATE TABLE IF NOT EXISTS rule_switches (rule_id TEXT PRIMARY KEY, enabled INTEGER NOT NULL, actor TEXT NOT NULL, at INTEGER NOT NULL);`);
  }

  all(): RuleSwitch[] {
    return (this.db.prepare('SELECT rule_id, enabled, actor, at FROM rule_switches ORDER BY rule_id').all() as { rule_id: string; enabled: number; actor: string; at: number }[])
      .map((r) => ({ ruleId: r.rule_id, enabled: r.enabled === 1, actor: r.actor, at: r.at }));
  }

  set(ruleId: string, enabled: boolean, actor: string, at: number): void {
    this.db.prepare('INSERT INTO rule_switches (rule_id, enabled, actor, at) VALUES (?, ?, ?, ?) ON CONFLICT (rule_id) DO UPDATE SET enabled = excluded.enabled, actor = excluded.actor, at = excluded.at')
      .run(ruleId, enabled ? 1 : 0, actor, at);
  }

  close(): void {
    this.db.close();
  }
}
