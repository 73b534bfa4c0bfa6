// docs/operations.md shows the ACLs of config/cepheus.example.yaml as `cepheus acls` prints
// them (commands and table): the list in src/kafka/access.ts and the docs stay in step.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { aclTable, grantsOf } from '../../src/cli/acls.ts';
import { loadConfig } from '../../src/config/config.ts';
import { aclCommand } from '../../src/kafka/access.ts';

describe('docs/operations.md ACLs', () => {
  it('holds the commands and the table cepheus acls prints for the example config', () => {
    const c = loadConfig('config/cepheus.example.yaml', {});
    const doc = readFileSync('docs/operations.md', 'utf8');
    const grants = grantsOf(c);
    expect(doc).toContain(aclTable(grants));
    expect(doc).toContain(grants.map((g) => aclCommand(g, 'User:cepheus', c.kafka.brokers.join(','))).join('\n'));
  });
});
