// The triage queue's query: filters (several rules, severities or statuses at once, assignee,
// key, a time range, free text on message and key), a sort on any listed column, and keyset
// cursors stable while alerts keep arriving. A cursor holds the sort it was made for and the
// last row's sort value and id; the next page starts strictly after that (value, id), so a page
// never repeats or skips a row, whatever is inserted meanwhile. The default sort (newest
// detection first) keeps the cursor format of earlier versions.
import { CepError } from '../core/errors.ts';
import type { Severity } from '../core/rule-types.ts';

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** How an alert was resolved: what precision is computed from (true / (true + false positives)). */
export const DISPOSITIONS = ['true-positive', 'false-positive', 'benign', 'duplicate', 'inconclusive'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/** Columns the queue sorts on, and the SQL expression each sorts by. */
export const SORT_FIELDS = {
  detected: 'detected_ts',
  first: 'first_ts',
  stored: 'stored_at',
  updated: 'updated_at',
  severity: "(CASE severity WHEN 'critical' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END)",
  status: "(CASE status WHEN 'open' THEN 0 WHEN 'acknowledged' THEN 1 ELSE 2 END)",
  rule: 'rule_id',
  key: 'key',
  assignee: "COALESCE(assignee, '')",
} as const;
export type SortField = keyof typeof SORT_FIELDS;
export const SORT_NAMES = Object.keys(SORT_FIELDS) as SortField[];

export interface AlertSort {
  readonly field: SortField;
  readonly order: 'asc' | 'desc';
}
export const DEFAULT_SORT: AlertSort = { field: 'detected', order: 'desc' };

/** `assignee: null` lists unassigned alerts. Lists (rules, severities, statuses) match any of their values. */
export interface AlertFilter {
  readonly ruleId?: string | readonly string[];
  readonly key?: string;
  readonly severity?: Severity | readonly Severity[];
  readonly status?: AlertStatus | readonly AlertStatus[];
  readonly assignee?: string | null;
  /** Words that must all occur (case-insensitive) in the message or the key. */
  readonly text?: string;
  /** Time range, ms, inclusive, on `time`: the detection event time (default) or when stored. */
  readonly from?: number;
  readonly to?: number;
  readonly time?: 'event' | 'stored';
}

type Arg = string | number;

/** WHERE clauses and their arguments for a filter (no cursor). */
export function whereOf(filter: AlertFilter): { sql: string; args: Arg[] } {
  const where: string[] = [];
  const args: Arg[] = [];
  const anyOf = (col: string, v: string | readonly string[] | undefined): void => {
    if (v === undefined) return;
    const list = typeof v === 'string' ? [v] : v;
    if (list.length === 0) return;
    where.push(`${col} IN (${list.map(() => '?').join(', ')})`);
    args.push(...list);
  };
  anyOf('rule_id', filter.ruleId);
  anyOf('severity', filter.severity);
  anyOf('status', filter.status);
  if (filter.key !== undefined) {
    where.push('key = ?');
    args.push(filter.key);
  }
  if (filter.assignee === null) where.push('assignee IS NULL');
  else if (filter.assignee !== undefined) {
    where.push('assignee = ?');
    args.push(filter.assignee);
  }
  for (const word of (filter.text ?? '').split(/\s+/).filter((w) => w !== '')) {
    const like = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push("(message LIKE ? ESCAPE '\\' OR key LIKE ? ESCAPE '\\')");
    args.push(like, like);
  }
  const timeColumn = filter.time === 'stored' ? 'stored_at' : 'detected_ts';
  if (filter.from !== undefined) {
    where.push(`${timeColumn} >= ?`);
    args.push(filter.from);
  }
  if (filter.to !== undefined) {
    where.push(`${timeColumn} <= ?`);
    args.push(filter.to);
  }
  return { sql: where.join(' AND '), args };
}

/** What a cursor holds: the sort, the last row's sort value and its id. */
interface Cursor {
  readonly sort: AlertSort;
  readonly value: Arg;
  readonly id: string;
}

const ID = /^al_[0-9a-f]{32}$/;
const badCursor = (): CepError => new CepError('CEP_ERR_STORE_CURSOR', 'cursor is not one this store returned; start without it');

export function encodeCursor(c: Cursor): string {
  // The default sort keeps the short form earlier versions returned (`<detected>:<id>`).
  if (c.sort.field === DEFAULT_SORT.field && c.sort.order === DEFAULT_SORT.order) return Buffer.from(`${c.value}:${c.id}`).toString('base64url');
  return Buffer.from(JSON.stringify([c.sort.field, c.sort.order, c.value, c.id])).toString('base64url');
}

export function decodeCursor(s: string, sort: AlertSort): Cursor {
  const text = Buffer.from(s, 'base64url').toString('utf8');
  const short = /^(-?\d+):(al_[0-9a-f]{32})$/.exec(text);
  if (short !== null) {
    if (sort.field !== DEFAULT_SORT.field || sort.order !== DEFAULT_SORT.order) throw badCursor();
    return { sort, value: Number(short[1]), id: short[2] as string };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badCursor();
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) throw badCursor();
  const [field, order, value, id] = parsed as unknown[];
  if (field !== sort.field || order !== sort.order || (typeof value !== 'string' && typeof value !== 'number') || typeof id !== 'string' || !ID.test(id)) throw badCursor();
  return { sort, value, id };
}

/**
 * The page's SQL: rows after the cursor in (sort value, id) order. Ties on the value are
 * ordered by id ascending in both directions, so the order is total.
 */
export function pageQuery(columns: string, filter: AlertFilter, sort: AlertSort, limit: number, cursor: string | undefined): { sql: string; args: Arg[]; valueOf: string } {
  const w = whereOf(filter);
  const where = w.sql === '' ? [] : [w.sql];
  const args = [...w.args];
  const expr = SORT_FIELDS[sort.field];
  if (cursor !== undefined) {
    const c = decodeCursor(cursor, sort);
    where.push(`(${expr} ${sort.order === 'desc' ? '<' : '>'} ? OR (${expr} = ? AND id > ?))`);
    args.push(c.value, c.value, c.id);
  }
  const sql = `SELECT ${columns}, ${expr} AS sort_value FROM alerts ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${expr} ${sort.order.toUpperCase()}, id LIMIT ?`;
  args.push(limit + 1);
  return { sql, args, valueOf: 'sort_value' };
}
