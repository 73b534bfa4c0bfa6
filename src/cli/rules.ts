// `cepheus rules`: lists the rules a --rules selection loads, with their metadata.
import { Command } from 'commander';
import { loadRules } from '../rules/load-rules.ts';
import { collect, printError } from './common.ts';
import { rulesChangesCommand, rulesDecideCommand, rulesDeployCommand } from './rules-deploy.ts';
import { rulesEndShadowCommand, rulesShadowCommand, rulesShadowDiffCommand } from './rules-shadow.ts';

export function rulesCommand(): Command {
  return new Command('rules')
    .description('list rules (bundled by default) with id, version, kind, severity and description')
    .option('--rules <spec>', 'bundled rule id, rule module or folder (repeatable or comma-separated)', collect, [])
    .option('--json', 'print JSON instead of a table')
    .addCommand(rulesDeployCommand())
    .addCommand(rulesChangesCommand())
    .addCommand(rulesDecideCommand('approve'))
    .addCommand(rulesDecideCommand('reject'))
    .addCommand(rulesShadowCommand())
    .addCommand(rulesShadowDiffCommand())
    .addCommand(rulesEndShadowCommand('promote'))
    .addCommand(rulesEndShadowCommand('discard'))
    .action(async (opts: { rules: string[]; json?: boolean }) => {
      try {
        const loaded = await loadRules(opts.rules);
        const rows = loaded.map(({ rule, source }) => ({
          id: rule.id, version: rule.version, kind: rule.kind, severity: rule.severity, key: rule.key.name,
          description: rule.description, tags: rule.tags ?? [], source,
        }));
        if (opts.json) console.log(JSON.stringify(rows, null, 2));
        else for (const r of rows) console.log(`${r.id.padEnd(26)} v${r.version}  ${r.kind.padEnd(11)} ${r.severity.padEnd(8)} by ${r.key.padEnd(18)} ${r.description}`);
      } catch (err) {
        printError(err);
      }
    });
}
