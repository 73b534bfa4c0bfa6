// `cepheus acls`: the Kafka ACLs the service of a config needs, and nothing more, as
// kafka-acls.sh commands to run as an administrator (default) or as a Markdown table with
// why each is needed (docs/operations.md shows it for the example config).
import { Command } from 'commander';
import { loadConfig } from '../config/config.ts';
import type { Config } from '../config/config.ts';
import { inputsOf } from '../config/inputs.ts';
import { aclCommand, principalOf, resourceOf } from '../kafka/access.ts';
import type { Grant } from '../kafka/access.ts';
import { AccessGuard } from '../service/access-guard.ts';
import { printError } from './common.ts';

/** The grants of a config's service (its transactional id is `cepheus-<group>`, as the service makes it). */
// Kafka ACLs only: the streams of `sources:` (t.from) are RabbitMQ's to grant.
export const grantsOf = (c: Config): readonly Grant[] => new AccessGuard(c, inputsOf(c).topics.filter((t) => t.from === undefined), `cepheus-${c.kafka.groupId}`).grants;

export function aclTable(grants: readonly Grant[]): string {
  const rows = grants.map((g) => `| ${g.operation} | ${resourceOf(g)} | ${g.why} |`);
  return ['| operation | resource | why the service needs it |', '|---|---|---|', ...rows].join('\n');
}

export function aclsCommand(): Command {
  return new Command('acls')
    .description('print the Kafka ACLs the service needs (kafka-acls.sh commands, or a Markdown table with --markdown)')
    .option('--config <file>', 'the service config (CEPHEUS_* variables override it)')
    .option('--principal <principal>', 'the principal to grant (default: User:<kafka.sasl.username>)')
    .option('--markdown', 'a table with why each permission is needed, instead of commands')
    .action((opts: { config?: string; principal?: string; markdown?: boolean }) => {
      try {
        const c = loadConfig(opts.config);
        const grants = grantsOf(c);
        const principal = opts.principal ?? principalOf(c.kafka.sasl);
        console.log(opts.markdown === true ? aclTable(grants) : grants.map((g) => aclCommand(g, principal, c.kafka.brokers.join(','))).join('\n'));
      } catch (err) {
        printError(err);
      }
    });
}
