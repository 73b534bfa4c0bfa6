// The /mcp endpoint on the API server, over a real socket with the SDK's Streamable HTTP
// client: bearer tokens as for REST, sessions bound to the token that opened them, the
// per-token session cap, our error bodies for requests that never reach a session, and the
// StateQuery buildApi is given answering MCP as it answers the REST state routes.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { DEFAULT_MCP_SETTINGS } from '../../../src/config/mcp-settings.ts';
import { eventTime } from '../../../src/events/time.ts';
import type { AnyEvent } from '../../../src/events/types.ts';
import { buildApi } from '../../../src/http/server.ts';
import type { KeyStateReport, StateQuery } from '../../../src/http/state-query.ts';
import { AlertStore } from '../../../src/store/alert-store.ts';

let app: FastifyInstance;
let url: URL;
const store = new AlertStore(':memory:');
const TOKENS = { 'reader-token': 'read', 'admin-token': { scope: 'admin', name: 'ana' } } as const;

const LOGIN: AnyEvent = { kind: 'login', id: 'ev-1', ts: eventTime(1_000), account: 'AC1', success: false, failureReason: 'BAD_PASSWORD', ip: '10.0.0.1', device: 'd1', country: 'FR', userAgent: 'ua' };
const REPORT: KeyStateReport = {
  ruleId: 'brute-force', ruleVersion: 1, keySpace: 'account', key: 'AC1', watermark: 2_000, lastSeen: 1_000, context: null,
  state: { kind: 'threshold', windows: [{ start: 0, end: 600_000, events: [LOGIN], aggregates: { failures: 1, ips: 1 } }] },
  recent: { late: [], overflow: [] },
};
const STATE: StateQuery = {
  keyState: (ruleId, key) => Promise.resolve(ruleId === 'brute-force' && key === 'AC1' ? REPORT : undefined),
  context: () => Promise.resolve(undefined),
  explainAlert: () => Promise.reject(new Error('not asked')),
};
const RULE = { id: 'brute-force', version: 1, kind: 'threshold', enabled: true, stats: { eventsSeen: 1, alerts: 0, errors: 0, overflowDropped: 0 }, stateKeys: 1, held: 0 } as const;

beforeAll(async () => {
  app = await buildApi({ store, tokens: TOKENS, rules: { list: () => [RULE], setEnabled: () => false }, state: STATE, mcp: { ...DEFAULT_MCP_SETTINGS, maxSessionsPerToken: 2 } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = new URL(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/mcp`);
});
afterAll(async () => {
  await app.close();
  store.close();
});

const client = async (token: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> => {
  const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers: { authorization: `Bearer ${token}` } } });
  const c = new Client({ name: 'test', version: '1' });
  await c.connect(transport);
  return { client: c, transport };
};

const post = async (headers: Record<string, string>, body: unknown) => {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as unknown };
};
const LIST = { jsonrpc: '2.0', id: 1, method: 'tools/list' };

describe('/mcp', () => {
  it('needs a configured bearer token, then an initialize request', async () => {
    expect(await post({}, LIST)).toEqual({ status: 401, body: { error: { code: 'CEP_ERR_API_UNAUTHENTICATED', message: 'send Authorization: Bearer <token>' } } });
    expect(await post({ authorization: 'Bearer nope' }, LIST)).toEqual({ status: 401, body: { error: { code: 'CEP_ERR_API_UNAUTHENTICATED', message: 'unknown token' } } });
    expect(await post({ authorization: 'Bearer reader-token' }, LIST)).toEqual({
      status: 400, body: { error: { code: 'CEP_ERR_MCP_SESSION_REQUIRED', message: 'send an initialize request first, then the mcp-session-id header it returns with every request' } },
    });
  });

  it('binds a session to the token that opened it', async () => {
    const { client: c, transport } = await client('reader-token');
    expect(c.getServerVersion()).toEqual({ name: 'cepheus', title: 'Cepheus', version: '0.1.0' });
    const sid = transport.sessionId as string;
    expect((await c.listTools()).tools.length).toBe(9);
    expect(await post({ authorization: 'Bearer admin-token', 'mcp-session-id': sid }, LIST)).toEqual({
      status: 404, body: { error: { code: 'CEP_ERR_MCP_SESSION_UNKNOWN', message: `no session ${sid} for this token; initialize a new one` } },
    });
    await transport.terminateSession();
    expect((await post({ authorization: 'Bearer reader-token', 'mcp-session-id': sid }, LIST)).status).toBe(404);
    await c.close();
  });

  it("closes a token's oldest session past the cap", async () => {
    const first = await client('admin-token');
    const second = await client('admin-token');
    const other = await client('reader-token');
    const third = await client('admin-token');
    await expect(first.client.listTools()).rejects.toThrow('CEP_ERR_MCP_SESSION_UNKNOWN');
    expect([(await second.client.listTools()).tools.length, (await third.client.listTools()).tools.length, (await other.client.listTools()).tools.length]).toEqual([9, 9, 9]);
    for (const c of [first, second, other, third]) await c.client.close();
  });

  it("answers get_key_context from the StateQuery behind the REST state routes", async () => {
    const rest = await fetch(new URL('/api/v1/rules/brute-force/keys/AC1', url), { headers: { authorization: 'Bearer reader-token' } });
    expect([rest.status, await rest.json()]).toEqual([200, REPORT]);
    const { client: c } = await client('reader-token');
    const r = await c.callTool({ name: 'get_key_context', arguments: { key: 'AC1', ruleId: 'brute-force' } });
    expect((r.structuredContent as { liveState: unknown }).liveState).toEqual({
      status: 'live', context: null,
      keyState: {
        ruleId: 'brute-force', ruleVersion: 1, keySpace: 'account', watermark: '1970-01-01T00:00:02.000Z', lastSeen: '1970-01-01T00:00:01.000Z',
        state: { kind: 'threshold', windows: [{ start: '1970-01-01T00:00:00.000Z', end: '1970-01-01T00:10:00.000Z', aggregates: { failures: 1, ips: 1 }, untrusted: { events: [LOGIN] } }] },
        recent: { late: [], overflow: [] },
        untrusted: { key: 'AC1', context: null },
      },
    });
    await c.close();
  });
});
