// `cepheus mcp`: MCP over stdio for assistants that launch their servers, as a bridge to the
// /mcp endpoint of the Cepheus that is running (the demo or `cepheus run`). JSON-RPC messages
// pass through unchanged both ways, so stdio and HTTP clients get one implementation, one
// source of truth (the process that owns the store, the rules' live counters and the alert
// bus), and one place where tokens, scopes, rate limits and identities are enforced.
import type { Readable, Writable } from 'node:stream';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { isInitializeRequest, isJSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { CepError } from '../core/errors.ts';

export interface BridgeOptions {
  /** The MCP endpoint, e.g. http://127.0.0.1:8080/mcp. */
  readonly url: URL;
  readonly token: string;
  readonly stdin?: Readable;
  readonly stdout?: Writable;
  /** Diagnostics (stderr: stdout carries the protocol). */
  readonly log?: (line: string) => void;
}

/** What to tell the client when the upstream refused or failed a request: our code when the server gave one. */
export function upstreamMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const body = /\{"error":\{"code":"(CEP_ERR_[A-Z_]+)","message":"((?:[^"\\]|\\.)*)"\}\}/.exec(text);
  if (body !== null) return `${body[1]}: ${JSON.parse(`"${body[2]}"`) as string}`;
  const status = err instanceof StreamableHTTPError && err.code !== undefined ? ` (HTTP ${err.code})` : '';
  return `CEP_ERR_MCP_UPSTREAM: the Cepheus MCP endpoint failed${status}: ${text}`;
}

/** Fails with CEP_ERR_MCP_UPSTREAM unless a Cepheus API answers /healthz at the URL's origin. */
export async function probe(url: URL): Promise<void> {
  const health = new URL('/healthz', url);
  let why: string;
  try {
    const r = await fetch(health, { signal: AbortSignal.timeout(5000) });
    if (r.ok) return;
    why = `HTTP ${r.status}`;
  } catch (err) {
    why = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
  }
  throw new CepError('CEP_ERR_MCP_UPSTREAM', `no Cepheus API answers at ${health.origin} (${why}); start it (npm start, or cepheus run --config ...) or pass --url`);
}

/** Bridges until stdin ends or the upstream closes; resolves then. */
export async function bridge(o: BridgeOptions): Promise<void> {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  await probe(o.url);
  const stdin = o.stdin ?? process.stdin;
  const local = new StdioServerTransport(stdin, o.stdout ?? process.stdout);
  const remote = new StreamableHTTPClientTransport(o.url, { requestInit: { headers: { authorization: `Bearer ${o.token}` } } });
  let initializeId: RequestId | undefined;

  local.onmessage = (msg: JSONRPCMessage) => {
    if (isJSONRPCRequest(msg) && isInitializeRequest(msg)) initializeId = msg.id;
    remote.send(msg).catch((err: unknown) => {
      const message = upstreamMessage(err);
      if (isJSONRPCRequest(msg)) void local.send({ jsonrpc: '2.0', id: msg.id, error: { code: -32000, message } });
      else log(`cepheus mcp: ${message}`);
    });
  };
  remote.onmessage = (msg: JSONRPCMessage) => {
    // The transport sends the negotiated version on every request once it knows it.
    if (initializeId !== undefined && 'result' in msg && msg.id === initializeId) remote.setProtocolVersion(String(msg.result['protocolVersion']));
    void local.send(msg);
  };
  remote.onerror = (err: Error) => log(`cepheus mcp: ${upstreamMessage(err)}`);
  local.onerror = (err: Error) => log(`cepheus mcp: stdin: ${err.message}`);

  await new Promise<void>((resolve) => {
    let closing = false;
    const close = (): void => {
      if (closing) return;
      closing = true;
      void remote.terminateSession().catch(() => undefined)
        .then(() => Promise.all([remote.close(), local.close()]))
        .finally(resolve);
    };
    local.onclose = close;
    remote.onclose = close;
    stdin.once('end', close);
    void remote.start().then(() => local.start());
  });
}
