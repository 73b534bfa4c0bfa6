// `cepheus check <rules...>`: what loading would refuse, before anything runs. The TypeScript
// compiler over the rule modules (fixed strict options, the package's declarations), then the
// rule validator over what they export. Every problem is printed (file:line:col and the
// compiler's message); any problem exits 1.
import { Command } from 'commander';
import { relative } from 'node:path';
import { CepError } from '../core/errors.ts';
import { loadRules, resolveRuleSpec } from '../rules/load-rules.ts';
import { formatProblem, isTypeScriptFile, typeCheckRules } from '../rules/type-check.ts';
import { printError } from './common.ts';

/** Checks rule modules; returns the lines to print on success, throws a CepError otherwise. */
export async function checkRules(specs: readonly string[], cwd: string = process.cwd()): Promise<string[]> {
  const files = [...new Set(specs.flatMap((s) => resolveRuleSpec(s, cwd)))];
  const problems = await typeCheckRules(files);
  if (problems.length > 0) {
    throw new CepError('CEP_ERR_RULE_TYPE', `${problems.length} type error${problems.length === 1 ? '' : 's'} in ${specs.join(', ')}`, problems.map((p) => formatProblem(p, cwd)));
  }
  const loaded = await loadRules(specs, cwd, { typeCheck: false });
  const show = (f: string): string => (relative(cwd, f).startsWith('..') ? f : relative(cwd, f));
  const typed = files.filter(isTypeScriptFile).length;
  return [
    ...loaded.map(({ rule, source }) => `${show(source)}: ${rule.id} v${rule.version} (${rule.kind}, by ${rule.key.name})`),
    `ok: ${loaded.length} rule${loaded.length === 1 ? '' : 's'} from ${files.length} module${files.length === 1 ? '' : 's'} (${typed} type-checked) load and validate`,
  ];
}

export function checkCommand(): Command {
  return new Command('check')
    .description('type-check rule modules with the TypeScript compiler, then validate the rules they export; prints each problem as file:line:col and exits 1 on any')
    .argument('<rules...>', 'rule modules or folders (or bundled rule ids)')
    .action(async (specs: string[]) => {
      try {
        for (const line of await checkRules(specs)) console.log(line);
      } catch (err) {
        printError(err);
      }
    });
}
