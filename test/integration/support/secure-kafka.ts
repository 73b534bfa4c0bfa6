// Helpers for the security tests against the secured broker (scripts/kafka/start-secure.sh):
// clients logged in as the super user `admin` or the service's user `cepheus` over SASL_SSL
// with the throwaway CA, and the service's ACLs granted or revoked one at a time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { inject } from 'vitest';
import { aclEntry } from '../../../src/kafka/access.ts';
import type { Grant } from '../../../src/kafka/access.ts';
import { SECURE_BROKERS, SECURE_DIR } from './env.ts';

export const secureKafkaAvailable = (): boolean => inject('secureKafkaAvailable');

export const CA_FILE = join(SECURE_DIR, 'tls', 'ca.pem');
export const passwordFile = (user: 'admin' | 'cepheus'): string => join(SECURE_DIR, 'secrets', `${user}.password`);
export const passwordOf = (user: 'admin' | 'cepheus'): string => readFileSync(passwordFile(user), 'utf8').trim();

export function secureKafka(user: 'admin' | 'cepheus' = 'admin'): Kafka {
  return new Kafka({
    clientId: `cepheus-test-${user}`, brokers: SECURE_BROKERS, logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 },
    ssl: { ca: [readFileSync(CA_FILE, 'utf8')] }, sasl: { mechanism: 'scram-sha-512', username: user, password: passwordOf(user) },
  });
}

/** Creates (or deletes) the grants' ACLs for `principal`, as the super user. */
export async function setAcls(grants: readonly Grant[], principal: string, on: boolean): Promise<void> {
  const admin = secureKafka('admin').admin();
  await admin.connect();
  try {
    if (on) await admin.createAcls({ acl: grants.map((g) => aclEntry(g, principal)) });
    else await admin.deleteAcls({ filters: grants.map((g) => aclEntry(g, principal)) });
  } finally {
    await admin.disconnect();
  }
}
