// Resources: alerts and rules by URI, and the alert feed as a subscribable resource.
//   cepheus://alerts[?rule=&key=&severity=&status=&from=&to=&time=&limit=]   newest alerts (search_alerts)
//   cepheus://alerts/{id}                                                   one alert's evidence (get_alert)
//   cepheus://rules/{id}                                                    what a rule means (describe_rule)
//   cepheus://rules/{id}/keys/{key}                                         a key's live state in a rule (get_key_context's liveState.keyState)
// Subscribing to cepheus://alerts (optionally ?rule=&key=&severity=) sends
// notifications/resources/updated with the URI of each new alert that matches, as soon as the
// store has it: the SSE stream's counterpart (the URI is a sub-resource of the one subscribed).
import type { ReadResourceResult, Resource, ResourceTemplate } from '@modelcontextprotocol/sdk/types.js';
import { CepError } from '../core/errors.ts';
import type { AlertBus } from '../store/alert-bus.ts';
import type { AlertSummary } from '../store/alert-store.ts';
import type { McpContext } from './context.ts';
import { keyStateOf } from './live-state.ts';
import { describeRule, getAlert, searchAlerts } from './queries.ts';
import type { SearchArgs } from './queries.ts';
import { SearchAlertsInput, alertId, ruleId } from './schemas.ts';
import { fitted, parseInput } from './tool-kit.ts';
import { DATA_NOTICE } from './views.ts';

export type ResourceRef =
  | { readonly kind: 'alerts'; readonly filter: SearchArgs }
  | { readonly kind: 'alert'; readonly id: string }
  | { readonly kind: 'rule'; readonly id: string }
  | { readonly kind: 'key-state'; readonly ruleId: string; readonly key: string };

const FEED = 'cepheus://alerts';
const SUBSCRIBABLE = new Set(['rule', 'key', 'severity']);
const JSON_TYPE = 'application/json';

function badUri(uri: string, why: string): CepError {
  return new CepError('CEP_ERR_MCP_RESOURCE_URI', `${uri}: ${why}; resources are cepheus://alerts[?rule=&key=&severity=&status=&limit=], cepheus://alerts/{id}, cepheus://rules/{id}, cepheus://rules/{id}/keys/{key}`);
}

export function parseResourceUri(uri: string): ResourceRef {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw badUri(uri, 'not a URI');
  }
  if (u.protocol !== 'cepheus:' || u.hash !== '' || u.username !== '' || u.port !== '') throw badUri(uri, 'not a cepheus:// URI');
  const path = u.pathname.replace(/^\//, '');
  if (u.hostname === 'alerts' && path === '') {
    const query: Record<string, string | number> = {};
    for (const [k, v] of u.searchParams) query[k] = ['limit', 'from', 'to'].includes(k) && /^-?\d+$/.test(v) ? Number(v) : v;
    try {
      return { kind: 'alerts', filter: parseInput(SearchAlertsInput.omit({ cursor: true }), query) };
    } catch (err) {
      throw badUri(uri, err instanceof CepError ? err.detail : String(err));
    }
  }
  const keyState = /^([^/]+)\/keys\/([^/]+)$/.exec(path);
  if (u.hostname === 'rules' && u.search === '' && keyState !== null && ruleId.safeParse(keyState[1]).success) {
    let key: string;
    try {
      key = decodeURIComponent(keyState[2] as string);
    } catch {
      throw badUri(uri, 'the key is not percent-encoded UTF-8');
    }
    if (key.length > 256) throw badUri(uri, 'keys are at most 256 characters');
    return { kind: 'key-state', ruleId: keyState[1] as string, key };
  }
  if (u.search !== '' || path === '' || path.includes('/')) throw badUri(uri, 'unknown resource');
  if (u.hostname === 'alerts' && alertId.safeParse(path).success) return { kind: 'alert', id: path };
  if (u.hostname === 'rules' && ruleId.safeParse(path).success) return { kind: 'rule', id: path };
  throw badUri(uri, 'unknown resource');
}

async function viewOf(c: McpContext, ref: ResourceRef): Promise<object> {
  switch (ref.kind) {
    case 'alerts': return searchAlerts(c, ref.filter);
    case 'alert': return getAlert(c, ref.id);
    case 'rule': return describeRule(c, ref.id);
    case 'key-state': return { notice: DATA_NOTICE, ...await keyStateOf(c, ref.ruleId, ref.key) };
    default: {
      const never: never = ref;
      return never;
    }
  }
}

export async function readResource(c: McpContext, uri: string): Promise<ReadResourceResult> {
  const view = await viewOf(c, parseResourceUri(uri));
  return { contents: [{ uri, mimeType: JSON_TYPE, text: JSON.stringify(fitted(view, c.settings.maxResultBytes)) }] };
}

/** The alert feed, every rule, and the newest alerts (20): what a client can browse. */
export function listResources(c: McpContext): Resource[] {
  const feed: Resource = {
    uri: FEED, name: 'alerts', title: 'Newest alerts', mimeType: JSON_TYPE,
    description: 'Newest alerts first; filter with ?rule=&key=&severity=&status=&limit=. Subscribe to be notified of each new alert (optionally filtered by rule, key, severity).',
  };
  const rules = c.rules.list().map((r): Resource => ({
    uri: `cepheus://rules/${r.id}`, name: `rule ${r.id}`, title: `Rule ${r.id} (${r.kind}, v${r.version})`, mimeType: JSON_TYPE,
    description: c.ruleModules.find((l) => l.rule.id === r.id)?.rule.description ?? r.id,
  }));
  const alerts = c.store.list({}, 20).items.map((a): Resource => ({
    uri: `cepheus://alerts/${a.id}`, name: `alert ${a.id}`, title: `[${a.severity}] ${a.ruleId} alert (${a.status})`, mimeType: JSON_TYPE,
  }));
  return [feed, ...rules, ...alerts];
}

export const RESOURCE_TEMPLATES: readonly ResourceTemplate[] = [
  { uriTemplate: 'cepheus://alerts/{id}', name: 'alert', title: 'One alert with its evidence', mimeType: JSON_TYPE, description: 'Matched events by step with their Kafka coordinates, context at decision time, aggregates, status and history.' },
  { uriTemplate: 'cepheus://rules/{id}', name: 'rule', title: 'What a rule means', mimeType: JSON_TYPE, description: 'Description, definition, counters and latency of a rule.' },
  {
    uriTemplate: 'cepheus://rules/{id}/keys/{key}', name: 'key-state', title: "A key's live state in a rule", mimeType: JSON_TYPE,
    description: 'Partial matches (events, steps waited for, deadlines), windows and aggregates, or candidates; the context, the watermark, recent late and overflow events. The key percent-encoded.',
  },
  { uriTemplate: 'cepheus://alerts{?rule,key,severity,status,limit}', name: 'alerts', title: 'Alerts, filtered', mimeType: JSON_TYPE, description: 'Newest alerts matching the filters.' },
];

type FeedFilter = Partial<Pick<AlertSummary, 'ruleId' | 'key' | 'severity'>>;

/** A URI one may subscribe to: the alert feed, filtered by rule, key or severity at most. */
export function subscriptionFilter(uri: string): FeedFilter {
  const ref = parseResourceUri(uri);
  const extra = ref.kind === 'alerts' ? [...new URL(uri).searchParams.keys()].filter((k) => !SUBSCRIBABLE.has(k)) : [];
  if (ref.kind !== 'alerts' || extra.length > 0) {
    throw new CepError('CEP_ERR_MCP_SUBSCRIPTION', `${uri} cannot be subscribed to: only ${FEED}, optionally ?rule=&key=&severity=, notifies of new alerts`);
  }
  const f = ref.filter;
  return { ...(f.rule === undefined ? {} : { ruleId: f.rule }), ...(f.key === undefined ? {} : { key: f.key }), ...(f.severity === undefined ? {} : { severity: f.severity }) };
}

const matches = (f: FeedFilter, a: AlertSummary): boolean =>
  (f.ruleId === undefined || f.ruleId === a.ruleId) && (f.key === undefined || f.key === a.key) && (f.severity === undefined || f.severity === a.severity);

/** One session's subscriptions: listens on the bus while it has any, one notification per matching alert. */
export class AlertSubscriptions {
  private readonly filters = new Map<string, FeedFilter>();
  private readonly bus: AlertBus;
  private readonly notify: (uri: string) => void;
  private off: (() => void) | undefined;

  constructor(bus: AlertBus, notify: (uri: string) => void) {
    this.bus = bus;
    this.notify = notify;
  }

  add(uri: string): void {
    this.filters.set(uri, subscriptionFilter(uri));
    this.off ??= this.bus.subscribe((a) => {
      for (const f of this.filters.values()) {
        if (matches(f, a)) {
          this.notify(`cepheus://alerts/${a.id}`);
          return;
        }
      }
    });
  }

  remove(uri: string): void {
    this.filters.delete(uri);
    if (this.filters.size === 0) this.close();
  }

  close(): void {
    this.off?.();
    this.off = undefined;
    this.filters.clear();
  }

  get size(): number {
    return this.filters.size;
  }
}
