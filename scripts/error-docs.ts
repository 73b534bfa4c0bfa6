// docs/errors.md from the one error registry (src/core/errors.ts): `npm run gen:errors`
// rewrites it; test/docs/errors.test.ts fails when the two differ.
import { ERRORS } from '../src/core/errors.ts';
import type { ErrorSpec } from '../src/core/errors.ts';

const AREAS: Readonly<Record<string, string>> = {
  config: 'Configuration and command line', rules: 'Rules', engine: 'Engine and shards', 'input-file': 'Event files',
  'input-record': 'Event records (dead-lettered with this code in `cepheus.error.code`)', schema: 'Avro schemas',
  kafka: 'Kafka service', rabbitmq: 'RabbitMQ streams', store: 'Alert store', api: 'REST API', explain: 'Explain and queryable state', mcp: 'MCP server', 'fixture-generator': 'Fixture generator', bench: 'Bench', internal: 'Anything else',
};

export function errorDocs(): string {
  const rows = Object.entries(ERRORS) as [string, ErrorSpec][];
  const out = [
    '# Error codes',
    '',
    '<!-- generated from src/core/errors.ts by `npm run gen:errors`; do not edit by hand -->',
    '',
    'Every error Cepheus reports carries one of these codes: in a CLI message (`CEP_ERR_...: what was',
    'wrong and what to do`), in the REST API\'s JSON (`{ "error": { "code", "message" } }`, with the',
    'status below), and in the `cepheus.error.code` header of a dead letter.',
  ];
  for (const area of Object.keys(AREAS)) {
    const list = rows.filter(([, s]) => s.area === area);
    if (list.length === 0) continue;
    out.push('', `## ${AREAS[area] ?? area}`, '', '| code | HTTP | meaning |', '|---|---|---|');
    for (const [code, s] of list) out.push(`| \`${code}\` | ${s.status} | ${s.meaning.replaceAll('|', '\\|')} |`);
  }
  const unknown = rows.filter(([, s]) => AREAS[s.area] === undefined).map(([c]) => c);
  if (unknown.length > 0) throw new Error(`codes in an area docs/errors.md does not list: ${unknown.join(', ')}`);
  return `${out.join('\n')}\n`;
}

if (import.meta.main) {
  const { writeFileSync } = await import('node:fs');
  const target = new URL('../docs/errors.md', import.meta.url);
  writeFileSync(target, errorDocs());
  console.log(`wrote ${target.pathname}`);
}
