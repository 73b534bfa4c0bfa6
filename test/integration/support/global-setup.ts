// Decides once whether the integration tests can run: a broker and a registry must answer.
// Outside CI, when they don't, the tests skip with one line saying how to start them;
// under CI=true that is a failure, never a skip.
import { connect } from 'node:net';
import type { TestProject } from 'vitest/node';
import { BROKERS, IN_CI, REGISTRY_URL } from './env.ts';

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
}
