// The reads behind tools, resources and the triage prompt, over the store, the rule control,
// the latency recorder and the state query: each returns a view (views.ts) or throws a CepError with our code.
import type { z } from 'zod';
import { CepError } from '../core/errors.ts';
import type { AnyRule } from '../core/rule-types.ts';
import type { AlertFilter, AlertStatus } from '../store/alert-store.ts';
import type { McpContext } from './context.ts';
import { liveState } from './live-state.ts';
import type { SearchAlertsInput } from './schemas.ts';
import { DATA_NOTICE, alertSummaryView, alertView, definitionView, iso, ruleStatsView } from './views.ts';
import type { AlertSummaryView, AlertView, RuleStatsView } from './views.ts';

export type SearchArgs = z.output<typeof SearchAlertsInput>;

export const toMs = (t: number | string | undefined): number | undefined => (typeof t === 'string' ? Date.parse(t) : t);

export function alertFilter(a: Omit<SearchArgs, 'limit' | 'cursor'>): AlertFilter {
  const from = toMs(a.from);
  const to = toMs(a.to);
  return {
    ...(a.rule === undefined ? {} : { ruleId: a.rule }), ...(a.key === undefined ? {} : { key: a.key }),
    ...(a.severity === undefined ? {} : { severity: a.severity }), ...(a.status === undefined ? {} : { status: a.status }),
    ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }), time: a.time,
  };
}

export interface AlertList {
  readonly notice: string;
  readonly items: readonly AlertSummaryView[];
  readonly nextCursor: string | null;
}

export function searchAlerts(c: McpContext, a: SearchArgs): AlertList {
  const page = c.store.list(alertFilter(a), a.limit, a.cursor);
  return { notice: DATA_NOTICE, items: page.items.map(alertSummaryView), nextCursor: page.nextCursor };
}

export function getAlert(c: McpContext, id: string): AlertView {
  const a = c.store.get(id);
  if (a === undefined) throw new CepError('CEP_ERR_STORE_ALERT_NOT_FOUND', `no alert ${id}`);
  return alertView(a);
}

export function setAlertStatus(c: McpContext, id: string, to: AlertStatus, actor: string, note: string): AlertView {
  return alertView(c.store.setStatus(id, to, actor, note, c.now()));
}

const definitionOf = (c: McpContext, id: string): AnyRule | undefined => c.ruleModules.find((l) => l.rule.id === id)?.rule;

export function listRules(c: McpContext): { readonly items: readonly RuleStatsView[] } {
  return { items: c.rules.list().map((r) => ruleStatsView(r, definitionOf(c, r.id), c.latency?.rule(r.id) ?? null)) };
}

export function describeRule(c: McpContext, id: string): RuleStatsView & { readonly definition: Record<string, unknown> } {
  const info = c.rules.list().find((r) => r.id === id);
  const def = definitionOf(c, id);
  if (info === undefined || def === undefined) throw new CepError('CEP_ERR_API_RULE_NOT_FOUND', `no rule ${id}; list_rules names the rules loaded`);
  return { ...ruleStatsView(info, def, c.latency?.rule(id) ?? null), definition: definitionView(def) };
}

/** A key's recent alerts, the context snapshot of the newest, and its live state when asked (live-state.ts). */
export async function keyContext(c: McpContext, a: { key: string; keySpace?: string | undefined; limit: number; ruleId?: string | undefined; contextId?: string | undefined }) {
  const live = await liveState(c, a.key, a.ruleId, a.contextId);
  // The store filters by key; key spaces are few, so filtering a bounded page here is enough.
  const page = c.store.list({ key: a.key }, a.keySpace === undefined ? a.limit : 500);
  const items = page.items.filter((x) => a.keySpace === undefined || x.keySpace === a.keySpace).slice(0, a.limit);
  const newest = items[0] === undefined ? undefined : c.store.get(items[0].id);
  return {
    notice: DATA_NOTICE,
    liveState: live,
    alerts: items.map(alertSummaryView),
    latestContext: newest === undefined ? null : { alertId: newest.id, ruleId: newest.ruleId, detectedAtEventTime: iso(newest.detectedAtEventTime), untrusted: { context: newest.context } },
  };
}
