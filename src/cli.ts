#!/usr/bin/env node
// The `cepheus` command line. Each subcommand lives in src/cli/<name>.ts and has --help.
import { Command } from 'commander';
import { replayCommand, testCommand } from './cli/replay.ts';
import { rulesCommand } from './cli/rules.ts';
import { genCommand } from './cli/gen.ts';
import { demoCommand } from './cli/demo.ts';

const program = new Command('cepheus')
  .description('Cepheus: low-latency complex event processing for financial surveillance')
  .version('0.1.0')
  .showHelpAfterError();

program.addCommand(replayCommand());
program.addCommand(testCommand());
program.addCommand(rulesCommand());
program.addCommand(genCommand());
program.addCommand(demoCommand());

await program.parseAsync(process.argv);
