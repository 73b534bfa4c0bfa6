// The MCP endpoint on the API server: Streamable HTTP at /mcp (POST requests, GET for the
// server's notification stream, DELETE to end a session), authenticated with the REST bearer
// tokens (any configured token opens a session; writes check the admin scope per call). A
// session is bound to the token that opened it: another token presenting its id gets 404, as
// an unknown id does. A token holds at most maxSessionsPerToken sessions (the oldest closes).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { authorize } from '../http/auth.ts';
import type { Identity, Tokens } from '../http/auth.ts';
import { errorBody } from '../http/errors.ts';
import type { McpContext } from './context.ts';
import { createMcpServer } from './server.ts';

interface Session {
  readonly id: string;
  readonly identity: Identity;
  readonly server: Server;
  readonly transport: StreamableHTTPServerTransport;
}

export function mcpRoute(app: FastifyInstance, tokens: Tokens, c: McpContext): void {
  const sessions = new Map<string, Session>();

  const open = (s: Session): void => {
    sessions.set(s.id, s);
    const mine = [...sessions.values()].filter((x) => x.identity.tokenId === s.identity.tokenId);
    for (const old of mine.slice(0, Math.max(0, mine.length - c.settings.maxSessionsPerToken))) void old.server.close();
  };

  app.route({
    method: ['GET', 'POST', 'DELETE'], url: '/mcp', schema: { hide: true },
    handler: async (req, reply) => {
      const auth = authorize(tokens, req.headers.authorization, 'read');
      if (!auth.ok) return reply.status(auth.status).send(errorBody(auth.code, auth.message));
      const sid = req.headers['mcp-session-id'];
      if (typeof sid === 'string') {
        const s = sessions.get(sid);
        if (s === undefined || s.identity.tokenId !== auth.identity.tokenId) {
          return reply.status(404).send(errorBody('CEP_ERR_MCP_SESSION_UNKNOWN', `no session ${sid.slice(0, 64)} for this token; initialize a new one`));
        }
        reply.hijack();
        await s.transport.handleRequest(req.raw, reply.raw, req.body);
        return reply;
      }
      if (req.method !== 'POST' || !isInitializeRequest(req.body)) {
        return reply.status(400).send(errorBody('CEP_ERR_MCP_SESSION_REQUIRED', 'send an initialize request first, then the mcp-session-id header it returns with every request'));
      }
      const { server } = createMcpServer(c, auth.identity);
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        onsessioninitialized: (id) => open({ id, identity: auth.identity, server, transport }),
      });
      transport.onclose = () => {
        if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
      };
      await server.connect(transport);
      reply.hijack();
      await transport.handleRequest(req.raw, reply.raw, req.body);
      return reply;
    },
  });

  // Open notification streams would keep the server from closing: end every session first.
  app.addHook('preClose', async () => {
    await Promise.all([...sessions.values()].map((s) => s.server.close()));
    sessions.clear();
  });
}
