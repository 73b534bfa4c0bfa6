#!/usr/bin/env -S node --disable-warning=TimeoutNegativeWarning
// The `cepheus` command line. Each subcommand lives in src/cli/<name>.ts and has --help.
import { Command } from 'commander';

// kafkajs's request queue schedules negative timeouts on Node 24: harmless (INFRA.md), but
// it would print a warning on every service start.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const type = typeof warning === 'string' ? (typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type) : warning.name;
  if (type === 'TimeoutNegativeWarning') return;
  (emitWarning as (w: string | Error, ...r: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
import { replayCommand, testCommand } from './cli/replay.ts';
import { rulesCommand } from './cli/rules.ts';
import { genCommand } from './cli/gen.ts';
import { demoCommand } from './cli/demo.ts';
import { runCommand } from './cli/run.ts';
import { produceCommand } from './cli/produce.ts';

const program = new Command('cepheus')
  .description('Cepheus: low-latency complex event processing for financial surveillance')
  .version('0.1.0')
  .showHelpAfterError();

program.addCommand(replayCommand());
program.addCommand(testCommand());
program.addCommand(rulesCommand());
program.addCommand(genCommand());
program.addCommand(demoCommand());
program.addCommand(runCommand());
program.addCommand(produceCommand());

await program.parseAsync(process.argv);
