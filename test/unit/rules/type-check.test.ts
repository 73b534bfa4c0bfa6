// Rules are type-checked before they load: a field the event lacks, a type imported as a value
// (Node would fail on it) and an enum (Node cannot strip it) are refused with their position;
// the opt-out loads unchecked; a clean rule loads.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRules } from '../../../src/cli/check.ts';
import { CepError } from '../../../src/core/errors.ts';
import { loadRules } from '../../../src/rules/load-rules.ts';

// Inside the repository (under .run/), so `cepheus` resolves by self-reference as in a project.
mkdirSync('.run', { recursive: true });
const dir = mkdtempSync(join(process.cwd(), '.run', 'type-check-'));
const rel = dir.slice(process.cwd().length + 1);
const write = (name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

const ruleReading = (field: string): string => `import { keyBy, minutes, sequence } from 'cepheus';

const byAccount = keyBy('account', { transfer: (e) => e.account });

export default sequence({
  id: 'reads-${field}', version: 1, severity: 'low', description: 'reads ${field}', key: byAccount, within: minutes(5), skip: 'no-skip',
  pattern: (p) => p.begin('t', 'transfer', (e) => e.${field} === 'x'),
});
`;
const bad = write('bad.ts', ruleReading('device'));
const syntax = write('syntax.ts', `import { DurationMs } from 'cepheus';\nenum Mode { A }\nexport const d: DurationMs = 5 as DurationMs;\nexport const m = Mode.A;\n`);

async function codeAndMessage(p: Promise<unknown>): Promise<[string, string]> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CepError) return [err.code, err.message];
    throw err;
  }
  throw new Error('expected a CepError');
}

describe('type-checking rules on load', () => {
  it('refuses a rule reading a field its event lacks, with file:line:col and the compiler message', async () => {
    expect(await codeAndMessage(loadRules([bad]))).toEqual(['CEP_ERR_RULE_TYPE', [
      'CEP_ERR_RULE_TYPE: 1 type error in rule modules; nothing was loaded (fix them, or pass --no-type-check to load unchecked)',
      `  - ${rel}/bad.ts:7:53: TS2339 Property 'device' does not exist on type 'Transfer'.`,
    ].join('\n')]);
  });

  it('refuses what Node cannot run: a type imported as a value, an enum', async () => {
    expect(await codeAndMessage(checkRules([syntax]))).toEqual(['CEP_ERR_RULE_TYPE', [
      `CEP_ERR_RULE_TYPE: 2 type errors in ${syntax}`,
      `  - ${rel}/syntax.ts:1:10: TS1484 'DurationMs' is a type and must be imported using a type-only import when 'verbatimModuleSyntax' is enabled.`,
      `  - ${rel}/syntax.ts:2:6: TS1294 This syntax is not allowed when 'erasableSyntaxOnly' is enabled.`,
    ].join('\n')]);
  });

  it('loads the rule unchecked with the opt-out (where it would silently never fire)', async () => {
    expect((await loadRules([bad], process.cwd(), { typeCheck: false })).map((l) => l.rule.id)).toEqual(['reads-device']);
  });

  it('checks and lists a clean folder', async () => {
    const clean = mkdtempSync(join(dir, 'clean-'));
    writeFileSync(join(clean, 'good.ts'), ruleReading('counterparty'));
    expect(await checkRules([clean])).toEqual([
      `${clean.slice(process.cwd().length + 1)}/good.ts: reads-counterparty v1 (sequence, by account)`,
      'ok: 1 rule from 1 module (1 type-checked) load and validate',
    ]);
  });
});

