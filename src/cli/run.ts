// `cepheus run`: the Kafka service (see src/service/service.ts). Configuration from a YAML /
// JSON file plus CEPHEUS_* environment variables, validated before anything connects.
import { Command } from 'commander';
import { loadConfig } from '../config/config.ts';
import { startService } from '../service/service.ts';
import { printError } from './common.ts';

export function runCommand(): Command {
  return new Command('run')
    .description('run the service: consume events from Kafka, raise alerts exactly once to the alerts topic, serve the REST API')
    .option('--config <file>', 'YAML or JSON config (see config/cepheus.example.yaml); CEPHEUS_* variables override it')
    .option('--instance <name>', 'this instance\'s name in the group (default: host name and pid)')
    .option('--no-type-check', 'deploy rule modules without type-checking them first (same as CEPHEUS_RULES_TYPECHECK=off)')
    .action(async (opts: { config?: string; instance?: string; typeCheck: boolean }) => {
      let service;
      try {
        // The service and its shard workers load rules themselves; the environment reaches both.
        if (!opts.typeCheck) process.env['CEPHEUS_RULES_TYPECHECK'] = 'off';
        const config = loadConfig(opts.config);
        service = await startService(config, opts.instance === undefined ? {} : { instance: opts.instance });
      } catch (err) {
        printError(err);
        return;
      }
      let signals = 0;
      const onSignal = (sig: string): void => {
        signals++;
        if (signals > 1) {
          console.error(`${sig} again: exiting now; the next start replays from the last checkpoint`);
          process.exit(130);
        }
        void service.stop();
      };
      process.on('SIGTERM', () => onSignal('SIGTERM'));
      process.on('SIGINT', () => onSignal('SIGINT'));
      process.exitCode = await service.done;
      // kafkajs and piscina may keep handles open for a moment; nothing is left to do.
      setTimeout(() => process.exit(process.exitCode ?? 0), 500).unref();
    });
}
