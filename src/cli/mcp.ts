// `cepheus mcp`: the MCP server on stdio for assistants that launch their servers (Claude
// Desktop, VS Code, the MCP Inspector). It bridges to the /mcp endpoint of the running
// Cepheus (src/mcp/stdio-bridge.ts) with the token in CEPHEUS_MCP_TOKEN: see docs/mcp.md.
import { Command } from 'commander';
import { loadConfig } from '../config/config.ts';
import { CepError } from '../core/errors.ts';
import { bridge } from '../mcp/stdio-bridge.ts';
import { printError } from './common.ts';

export const DEFAULT_MCP_URL = 'http://127.0.0.1:8080/mcp';

/** The endpoint: --url, else CEPHEUS_MCP_URL, else the config's api.host/port, else the demo's. */
export function mcpUrl(opts: { url?: string; config?: string }, env: Readonly<Record<string, string | undefined>>): URL {
  let url = opts.url ?? env['CEPHEUS_MCP_URL'];
  if (url === undefined && opts.config !== undefined) {
    const api = loadConfig(opts.config, env).api;
    const host = api.host === '0.0.0.0' || api.host === '::' ? '127.0.0.1' : api.host;
    url = `http://${host.includes(':') ? `[${host}]` : host}:${api.port}/mcp`;
  }
  try {
    const u = new URL(url ?? DEFAULT_MCP_URL);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
    return u;
  } catch {
    throw new CepError('CEP_ERR_CLI_ARG', `--url must be an http(s) URL such as ${DEFAULT_MCP_URL} (got '${url}')`);
  }
}

export function mcpCommand(): Command {
  return new Command('mcp')
    .description('MCP server on stdio for AI assistants: bridges to the /mcp endpoint of the running Cepheus (npm start, or cepheus run) with the token in CEPHEUS_MCP_TOKEN')
    .option('--url <url>', `the MCP endpoint (default: CEPHEUS_MCP_URL, else from --config, else ${DEFAULT_MCP_URL})`)
    .option('--config <file>', "the service config whose API to reach (api.host, api.port)")
    .addHelpText('after', '\nThe token comes from the environment, never the command line: CEPHEUS_MCP_TOKEN=demo-read (the demo) or a token of api.tokens.\nA read token can search and read; set_alert_status needs an admin token and is recorded under its name.')
    .action(async (opts: { url?: string; config?: string }) => {
      try {
        const token = process.env['CEPHEUS_MCP_TOKEN'];
        if (token === undefined || token === '') throw new CepError('CEP_ERR_CLI_ARG', 'set CEPHEUS_MCP_TOKEN to an API token (the demo: demo-read, or demo-admin to change statuses)');
        await bridge({ url: mcpUrl(opts, process.env), token });
      } catch (err) {
        printError(err);
      }
    });
}
