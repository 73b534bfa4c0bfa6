// `cepheus init` on its own, for a Node that cannot run the rest of the CLI (see launch.ts).
import { Command } from 'commander';
import { initCommand } from './init.ts';

await new Command('cepheus').addCommand(initCommand()).parseAsync(process.argv);
