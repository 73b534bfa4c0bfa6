// One MCP server per session, bound to the identity of the token that opened it: tools,
// resources (with subscriptions to new alerts) and prompts over the McpContext. Every request
// but initialize and ping takes one unit from the token's rate limit; tool failures are tool
// errors with our code, other failures JSON-RPC errors with our code (tool-kit.ts).
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema, GetPromptRequestSchema, ListPromptsRequestSchema, ListResourceTemplatesRequestSchema, ListResourcesRequestSchema,
  ListToolsRequestSchema, ReadResourceRequestSchema, SubscribeRequestSchema, UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CepError } from '../core/errors.ts';
import type { Identity } from '../http/auth.ts';
import { PACKAGE_VERSION } from '../rules/package-root.ts';
import type { McpContext } from './context.ts';
import { PROMPTS, getPrompt } from './prompts.ts';
import { AlertSubscriptions, RESOURCE_TEMPLATES, listResources, readResource } from './resources.ts';
import { RpcError, coded, jsonSchema, parseInput, toolError, toolResult } from './tool-kit.ts';
import { toolNamed, tools } from './tools.ts';
import { DATA_NOTICE } from './views.ts';

const VERSION = PACKAGE_VERSION;

export const INSTRUCTIONS = [
  'Cepheus is a complex event processing engine for financial surveillance: rules over trade, order, login and transfer events raise alerts per key (account, IP, instrument).',
  'To triage: search_alerts (or the cepheus://alerts resource), get_alert for the evidence, describe_rule for what the rule looks for, get_key_context for the key\'s history and, with ruleId, its live state in the rule; the triage_alert prompt assembles all of it.',
  'explain_alert says why an alert fired (the predicate that let each event in and the values it read); explain_key says, from an event file, why a rule did or did not fire at a key (with expect: why given events raised no alert).',
  'Subscribe to cepheus://alerts to be notified of new alerts. run_backtest replays an event file through rules, bounded in events and time.',
  `Trust: ${DATA_NOTICE}`,
  'set_alert_status needs an admin token; the change is recorded under the token\'s configured name.',
].join('\n');

export interface SessionServer {
  readonly server: Server;
  readonly identity: Identity;
}

export function createMcpServer(c: McpContext, identity: Identity): SessionServer {
  const server = new Server({ name: 'cepheus', title: 'Cepheus', version: VERSION }, {
    capabilities: { tools: {}, resources: { subscribe: true }, prompts: {} }, instructions: INSTRUCTIONS,
  });
  const list = tools(c);
  const subscriptions = new AlertSubscriptions(c.bus, (uri) => {
    server.sendResourceUpdated({ uri }).catch(() => undefined);
  });
  server.onclose = () => subscriptions.close();

  const take = (): void => {
    const t = c.limiter.take(identity.tokenId);
    if (!t.ok) {
      throw new CepError('CEP_ERR_MCP_RATE_LIMITED', `token ${identity.name} is over ${c.settings.requestsPerMinute} requests per minute (burst ${c.settings.burst}); retry in ${Math.ceil(t.retryAfterMs / 1000)} s`);
    }
  };
  /** A request outside tool calls: limited, and failures as JSON-RPC errors with our code. */
  const rpc = async <R>(fn: () => R | Promise<R>): Promise<R> => {
    try {
      take();
      return await fn();
    } catch (err) {
      throw new RpcError(coded(err, c.onInternalError));
    }
  };

  server.setRequestHandler(ListToolsRequestSchema, () => rpc(() => ({
    tools: list.map((t) => ({
      name: t.name, title: t.title, description: t.description, annotations: t.annotations,
      inputSchema: jsonSchema(t.input, 'input'), outputSchema: jsonSchema(t.output, 'output'),
    })),
  })));

  server.setRequestHandler(CallToolRequestSchema, async (req, extra): Promise<CallToolResult> => {
    let tool;
    try {
      tool = toolNamed(list, req.params.name);
    } catch (err) {
      throw new RpcError(coded(err, c.onInternalError));
    }
    try {
      take();
      if (tool.admin && identity.scope !== 'admin') {
        throw new CepError('CEP_ERR_API_FORBIDDEN', `${tool.name} needs a token with the admin scope; this session's token (${identity.name}) has the ${identity.scope} scope`);
      }
      const args = parseInput(tool.input, req.params.arguments);
      return toolResult(await tool.run(args, { identity, signal: extra.signal }), c.settings.maxResultBytes);
    } catch (err) {
      return toolError(coded(err, c.onInternalError));
    }
  });

  server.setRequestHandler(ListResourcesRequestSchema, () => rpc(() => ({ resources: listResources(c) })));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => rpc(() => ({ resourceTemplates: [...RESOURCE_TEMPLATES] })));
  server.setRequestHandler(ReadResourceRequestSchema, (req) => rpc(() => readResource(c, req.params.uri)));
  server.setRequestHandler(SubscribeRequestSchema, (req) => rpc(() => {
    subscriptions.add(req.params.uri);
    return {};
  }));
  server.setRequestHandler(UnsubscribeRequestSchema, (req) => rpc(() => {
    subscriptions.remove(req.params.uri);
    return {};
  }));

  server.setRequestHandler(ListPromptsRequestSchema, () => rpc(() => ({ prompts: [...PROMPTS] })));
  server.setRequestHandler(GetPromptRequestSchema, (req) => rpc(() => getPrompt(c, req.params.name, req.params.arguments)));
  return { server, identity };
}

