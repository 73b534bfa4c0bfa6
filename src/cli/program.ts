// The `cepheus` command line (src/cli.ts loads it once the heap limit is settled). Each
// subcommand lives in src/cli/<name>.ts and has --help.
import { Command } from 'commander';
import { replayCommand, testCommand } from './replay.ts';
import { rulesCommand } from './rules.ts';
import { genCommand } from './gen.ts';
import { demoCommand } from './demo.ts';
import { runCommand } from './run.ts';
import { produceCommand } from './produce.ts';
import { explainCommand } from './explain.ts';
import { dlqCommand } from './dlq.ts';
import { checkCommand } from './check.ts';
import { backtestCommand } from './backtest.ts';
import { initCommand } from './init.ts';
import { PACKAGE_VERSION } from '../rules/package-root.ts';
import { mcpCommand } from './mcp.ts';
import { aclsCommand } from './acls.ts';

const program = new Command('cepheus')
  .description('Cepheus: low-latency complex event processing for financial surveillance')
  .version(PACKAGE_VERSION)
  .showHelpAfterError();

program.addCommand(initCommand());
program.addCommand(replayCommand());
program.addCommand(testCommand());
program.addCommand(checkCommand());
program.addCommand(backtestCommand());
program.addCommand(rulesCommand());
program.addCommand(genCommand());
program.addCommand(demoCommand());
program.addCommand(runCommand());
program.addCommand(produceCommand());
program.addCommand(explainCommand());
program.addCommand(dlqCommand());
program.addCommand(mcpCommand());
program.addCommand(aclsCommand());

await program.parseAsync(process.argv);
