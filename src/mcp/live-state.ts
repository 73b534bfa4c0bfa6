// The runner's live state through MCP, from the StateQuery the REST state routes use: a
// key's state for a rule and a context by id (get_key_context, the key-state resource, the
// triage prompt), and an alert explained (explain_alert). A runner that cannot answer (no
// StateQuery, or a service instance holding no partitions) is not a failure of
// get_key_context: its liveState says so, with the reason, next to the key's alerts.
import { CepError } from '../core/errors.ts';
import type { McpContext } from './context.ts';
import { alertExplanationView, contextView, keyStateView } from './state-views.ts';
import type { ContextOut, KeyStateOut } from './state-views.ts';

export type LiveStateView =
  | { readonly status: 'live'; readonly keyState: KeyStateOut | null; readonly context: ContextOut | null }
  | { readonly status: 'unavailable'; readonly code: 'CEP_ERR_STATE_UNAVAILABLE'; readonly reason: string }
  | { readonly status: 'not-requested'; readonly reason: string };

export const NOT_REQUESTED =
  "Give ruleId for the key's live state in that rule (partial matches with the steps they wait for and their deadlines, windows, context, " +
  'watermark, recent late and overflow events), or contextId for one of its contexts as the engine holds it now.';

const NO_STATE_QUERY = 'this runner does not answer state queries; explain_key answers from an event file';

function query(c: McpContext) {
  if (c.state === undefined) throw new CepError('CEP_ERR_STATE_UNAVAILABLE', NO_STATE_QUERY);
  return c.state;
}

function checkRule(c: McpContext, ruleId: string): void {
  if (!c.rules.list().some((r) => r.id === ruleId)) throw new CepError('CEP_ERR_API_RULE_NOT_FOUND', `no rule ${ruleId}; list_rules names the rules loaded`);
}

const contextMissing = (contextId: string): CepError => new CepError('CEP_ERR_API_CONTEXT_NOT_FOUND', `no loaded rule uses a context '${contextId}'`);

/** The key's state for a rule; CEP_ERR_STATE_UNAVAILABLE when the runner cannot answer. */
export async function keyStateOf(c: McpContext, ruleId: string, key: string): Promise<KeyStateOut> {
  checkRule(c, ruleId);
  const r = await query(c).keyState(ruleId, key);
  if (r === undefined) throw new CepError('CEP_ERR_API_RULE_NOT_FOUND', `no rule ${ruleId}; list_rules names the rules loaded`);
  return keyStateView(r);
}

/** What get_key_context says of the key's live state. Unknown rule or context ids are errors whether or not the runner can answer. */
export async function liveState(c: McpContext, key: string, ruleId: string | undefined, contextId: string | undefined): Promise<LiveStateView> {
  if (ruleId === undefined && contextId === undefined) return { status: 'not-requested', reason: NOT_REQUESTED };
  if (ruleId !== undefined) checkRule(c, ruleId);
  if (contextId !== undefined && !c.ruleModules.some((l) => l.rule.context?.id === contextId)) throw contextMissing(contextId);
  try {
    const [keyState, context] = await Promise.all([
      ruleId === undefined ? null : keyStateOf(c, ruleId, key),
      contextId === undefined ? undefined : query(c).context(key, contextId),
    ]);
    if (context === undefined && contextId !== undefined) throw contextMissing(contextId);
    return { status: 'live', keyState, context: context === undefined ? null : contextView(context) };
  } catch (err) {
    if (err instanceof CepError && err.code === 'CEP_ERR_STATE_UNAVAILABLE') return { status: 'unavailable', code: err.code, reason: err.detail };
    throw err;
  }
}

/** explain_alert: the stored alert explained by the runner (its rule's source, each predicate's inputs, the aggregates at decision time). */
export async function explainAlert(c: McpContext, id: string): Promise<ReturnType<typeof alertExplanationView>> {
  const a = c.store.get(id);
  if (a === undefined) throw new CepError('CEP_ERR_STORE_ALERT_NOT_FOUND', `no alert ${id}`);
  const { status: _s, storedAt: _t, history: _h, ...alert } = a;
  return alertExplanationView(await query(c).explainAlert(alert));
}
