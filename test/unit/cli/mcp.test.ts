// `cepheus mcp`: which endpoint it bridges to, what it tells the client when the upstream
// refuses (our code, from the server's error body), and a clear error when nothing listens.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { mcpUrl } from '../../../src/cli/mcp.ts';
import { probe, upstreamMessage } from '../../../src/mcp/stdio-bridge.ts';
import { freePort } from '../../../bench/lib/kafka-service.ts';

describe('cepheus mcp', () => {
  it('bridges to --url, else CEPHEUS_MCP_URL, else the config API, else the demo', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cepheus-mcp-cli-'));
    const config = join(dir, 'c.yaml');
    writeFileSync(config, 'kafka: { brokers: ["k:9092"] }\ntopics: { login: l }\noutput: { alerts: a, deadLetter: d, state: s }\napi: { host: 0.0.0.0, port: 9090 }\n');
    expect([
      mcpUrl({ url: 'http://h:1/mcp', config }, { CEPHEUS_MCP_URL: 'http://e:2/mcp' }).href,
      mcpUrl({ config }, { CEPHEUS_MCP_URL: 'http://e:2/mcp' }).href,
      mcpUrl({ config }, {}).href,
      mcpUrl({}, {}).href,
    ]).toEqual(['http://h:1/mcp', 'http://e:2/mcp', 'http://127.0.0.1:9090/mcp', 'http://127.0.0.1:8080/mcp']);
    expect(() => mcpUrl({ url: 'ftp://x' }, {})).toThrow("CEP_ERR_CLI_ARG: --url must be an http(s) URL such as http://127.0.0.1:8080/mcp (got 'ftp://x')");
  });

  it("passes the server's code on, or says the upstream failed", () => {
    const body = JSON.stringify({ error: { code: 'CEP_ERR_API_UNAUTHENTICATED', message: 'unknown "token"' } });
    expect(upstreamMessage(new StreamableHTTPError(401, `Error POSTing to endpoint: ${body}`))).toBe('CEP_ERR_API_UNAUTHENTICATED: unknown "token"');
    expect(upstreamMessage(new StreamableHTTPError(502, 'Error POSTing to endpoint: Bad Gateway'))).toBe('CEP_ERR_MCP_UPSTREAM: the Cepheus MCP endpoint failed (HTTP 502): Streamable HTTP error: Error POSTing to endpoint: Bad Gateway');
    expect(upstreamMessage(new Error('fetch failed'))).toBe('CEP_ERR_MCP_UPSTREAM: the Cepheus MCP endpoint failed: fetch failed');
  });

  it('says so when no Cepheus API listens', async () => {
    const port = await freePort();
    await expect(probe(new URL(`http://127.0.0.1:${port}/mcp`))).rejects.toThrow(
      `CEP_ERR_MCP_UPSTREAM: no Cepheus API answers at http://127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port}); start it (npm start, or cepheus run --config ...) or pass --url`,
    );
  });
});
