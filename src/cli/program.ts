#!/usr/bin/env -S node --disable-warning=TimeoutNegativeWarning
// The `cepheus` command line. Each subcommand lives in src/cli/<name>.ts and has --help.
// kafkajs's request queue schedules negative timeouts on Node 24 (harmless): the
// shebang and the npm scripts turn that warning off.
import { Command } from 'commander';
import { replayCommand, testCommand } from './cli/replay.ts';
import { rulesCommand } from './cli/rules.ts';
import { genCommand } from './cli/gen.ts';
import { demoCommand } from './cli/demo.ts';
import { runCommand } from './cli/run.ts';
import { produceCommand } from './cli/produce.ts';
import { explainCommand } from './cli/explain.ts';
import { dlqCommand } from './cli/dlq.ts';
import { checkCommand } from './cli/check.ts';
import { backtestCommand } from './cli/backtest.ts';
import { initCommand } from './cli/init.ts';
import { PACKAGE_VERSION } from './rules/package-root.ts';
import { mcpCommand } from './cli/mcp.ts';

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

await program.parseAsync(process.argv);
