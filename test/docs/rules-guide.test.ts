// docs/rules.md is executable: every example file it embeds must be shown verbatim, and every
// output block must be exactly what running that example prints.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkRules } from '../../src/cli/check.ts';
import { runReplay, testReport } from '../../src/cli/replay.ts';
import { CepError } from '../../src/core/errors.ts';
import type { AnyRule } from '../../src/core/rule-types.ts';
import type { AnyEvent } from '../../src/events/types.ts';
import { alertsOf, run } from '../../src/testing.ts';

const root = new URL('../../', import.meta.url);
const guide = readFileSync(new URL('docs/rules.md', root), 'utf8');

/** Blocks introduced by `<!-- file: path -->` or `<!-- output: path -->`. */
function blocks(tag: 'file' | 'output'): { path: string; body: string }[] {
  const re = new RegExp(`<!-- ${tag}: (.+?) -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``, 'g');
  return [...guide.matchAll(re)].map((m) => ({ path: m[1] as string, body: m[2] as string }));
}

/**
 * What the guide shows for an example: its alerts, summarised, and each message; for an
 * example comparing several rules (`export const rules`), one line per alert.
 */
export async function exampleOutput(path: string): Promise<string> {
  const mod = (await import(new URL(path, root).href)) as { default?: AnyRule; rules?: AnyRule[]; sample: AnyEvent[] };
  if (mod.rules !== undefined) {
    return alertsOf(run(mod.rules, mod.sample).effects).map((a) => `${JSON.stringify({ rule: a.rule, at: a.at, steps: a.steps })}\n`).join('');
  }
  const { alerts, effects } = run([mod.default as AnyRule], mod.sample);
  return `${JSON.stringify(alertsOf(effects).map((a, i) => ({ ...a, message: alerts[i]?.message })), null, 2)}\n`;
}

/**
 * What `cepheus <args>` prints, run in a scaffolded project (`project: ...`, the files of
 * scaffold/) or in the repository (`repo: ...`): `check <specs>` or `test <specs> --fixture <f>`.
 */
async function commandOutput(where: 'project' | 'repo', args: string): Promise<string> {
  const cwd = where === 'project' ? fileURLToPath(new URL('scaffold/', root)) : fileURLToPath(root);
  const check = /^check (.+)$/.exec(args);
  if (check !== null) {
    try {
      return `${(await checkRules((check[1] as string).split(' '), cwd)).join('\n')}\n`;
    } catch (err) {
      if (err instanceof CepError) return `${err.message}\n`;
      throw err;
    }
  }
  const test = /^test (\S+) --fixture (\S+)$/.exec(args);
  if (test === null) throw new Error(`the guide runs no '${args}'`);
  const { summary, labels } = await runReplay(join(cwd, test[2] as string), { rules: [join(cwd, test[1] as string)], batchSize: 1024, outOfOrderMs: 5000, allowedLatenessMs: 0, progress: false });
  return `${testReport(summary.scores, labels, summary.alertsByRule, 'labels').lines.join('\n')}\n`;
}

describe('docs/rules.md', () => {
  const files = blocks('file');
  const outputs = blocks('output');

  it('embeds every example and shows the output of each', () => {
    const examples = [
      'docs/examples/new-device-cashout.ts', 'docs/examples/no-confirmation.ts', 'docs/examples/many-small-transfers.ts', 'docs/examples/login-and-transfer.ts',
      'docs/examples/skip-strategies.ts', 'docs/examples/round-trips.ts',
    ];
    expect(files.map((f) => f.path)).toEqual([...examples, 'scaffold/rules/new-country-payout.ts', 'scaffold/rules/new-country-payout.test.ts', 'docs/examples/bad/reads-device.ts']);
    expect(outputs.map((f) => f.path)).toEqual([...examples, 'project: check rules', 'project: test rules --fixture fixtures/sample.jsonl', 'repo: check docs/examples/bad/']);
  });

  it.each(files.map((f) => [f.path, f.body] as const))('shows %s verbatim', (path, body) => {
    expect(body).toBe(readFileSync(new URL(path, root), 'utf8'));
  });

  it.each(outputs.map((f) => [f.path, f.body] as const))('shows the real output of %s', async (path, body) => {
    const command = /^(project|repo): (.+)$/.exec(path);
    expect(body).toBe(command === null ? await exampleOutput(path) : await commandOutput(command[1] as 'project' | 'repo', command[2] as string));
  });
});
