// Decides once whether the integration tests can run: a broker and a registry must answer.
// Outside CI, when they don't, the tests skip with one line saying how to start them;
// under CI=true that is a failure, never a skip.
import { connect } from 'node:net';
import type { TestProject } from 'vitest/node';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BROKERS, IN_CI, RABBITMQ_SECRETS, RABBITMQ_URL, REGISTRY_URL, SECURE_BROKERS, SECURE_DIR } from './env.ts';

function tcp(hostPort: string, timeoutMs = 2000): Promise<boolean> {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve) => {
    const s = connect({ host: host ?? '127.0.0.1', port: Number(port ?? 9092) });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

async function http(url: string): Promise<boolean> {
  try {
    const r = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(3000) });
    return r.ok;
  } catch {
    return false;
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaAvailable: boolean;
    secureKafkaAvailable: boolean;
    rabbitAvailable: boolean;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const broker = await tcp(BROKERS[0] ?? '127.0.0.1:9092');
  const registry = await http(REGISTRY_URL);
  const available = broker && registry;
  if (!available) {
    const missing = [broker ? '' : `Kafka at ${BROKERS.join(',')}`, registry ? '' : `a schema registry at ${REGISTRY_URL}`].filter(Boolean).join(' and ');
    if (IN_CI) throw new Error(`integration: CI=true but no ${missing}; .ci/run must start them (scripts/kafka/start.sh)`);
    console.log(`integration: no ${missing} — run \`npm run kafka:start\` first; skipping the integration tests`);
  }
  project.provide('kafkaAvailable', available);
  // The secured broker, for the security tests only (they also need the registry).
  const secure = await tcp(SECURE_BROKERS[0] ?? '127.0.0.1:9094') && existsSync(join(SECURE_DIR, 'tls', 'ca.pem'));
  if (!secure) {
    if (IN_CI) throw new Error(`integration: CI=true but no secured broker at ${SECURE_BROKERS.join(',')} (with ${SECURE_DIR}); .ci/run must start it (scripts/kafka/start-secure.sh)`);
    console.log(`integration: no secured broker at ${SECURE_BROKERS.join(',')} — run \`bash scripts/kafka/start-secure.sh\` and set CEPHEUS_SECURE_KAFKA_BROKERS / CEPHEUS_SECURE_KAFKA_DIR; skipping the security tests`);
  }
  project.provide('secureKafkaAvailable', secure && available);
  // RabbitMQ with streams, for the RabbitMQ source tests only (they also need Kafka).
  const amqp = new URL(RABBITMQ_URL);
  const rabbit = await tcp(`${amqp.hostname}:${amqp.port || '5672'}`) && existsSync(join(RABBITMQ_SECRETS, 'admin.password'));
  if (!rabbit) {
    if (IN_CI) throw new Error(`integration: CI=true but no RabbitMQ at ${RABBITMQ_URL} (with ${RABBITMQ_SECRETS}); .ci/run must start it (scripts/rabbitmq/start.sh)`);
    console.log(`integration: no RabbitMQ at ${RABBITMQ_URL} — run \`bash scripts/rabbitmq/start.sh\` and set CEPHEUS_RABBITMQ_URL / CEPHEUS_RABBITMQ_SECRETS; skipping the RabbitMQ tests`);
  }
  project.provide('rabbitAvailable', rabbit && available);
}
