// Which broker and schema registry the through-Kafka scenarios use (`--kafka <brokers|auto|off>`).
// `auto` takes CEPHEUS_KAFKA_BROKERS / CEPHEUS_REGISTRY_URL or the local defaults and uses
// them only if both answer; otherwise the run records the scenarios as not measured, with
// the command that starts them: the bench never starts a broker itself. The bench loads the
// broker hard, so it only ever targets loopback.
import { connect } from 'node:net';
import { CepError } from '../../src/core/errors.ts';

export const DEFAULT_BROKERS = ['127.0.0.1:9092'] as const;
export const DEFAULT_REGISTRY = 'http://127.0.0.1:8081/apis/ccompat/v7';

export interface KafkaTarget {
  readonly brokers: readonly string[];
  readonly registryUrl: string;
}

export type KafkaAvailability =
  | { readonly status: 'available'; readonly target: KafkaTarget }
  | { readonly status: 'unavailable'; readonly reason: string };

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

function hostOf(hostPort: string): string {
  return hostPort.slice(0, hostPort.lastIndexOf(':'));
}

function tcp(hostPort: string, timeoutMs = 2000): Promise<boolean> {
  const host = hostOf(hostPort);
  const port = Number(hostPort.slice(hostPort.lastIndexOf(':') + 1));
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

async function registryAnswers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(3000) })).ok;
  } catch {
    return false;
  }
}

/** Resolves `--kafka`; throws only when it names something the bench must not or cannot use. */
export async function kafkaTarget(option: string, env: Readonly<Record<string, string | undefined>> = process.env): Promise<KafkaAvailability> {
  if (option === 'off') return { status: 'unavailable', reason: 'skipped with --kafka off' };
  const fromEnv = env['CEPHEUS_KAFKA_BROKERS'];
  const brokers = (option === 'auto' ? (fromEnv === undefined || fromEnv === '' ? [...DEFAULT_BROKERS] : fromEnv.split(',')) : option.split(','))
    .map((s) => s.trim()).filter(Boolean);
  const registryUrl = (env['CEPHEUS_REGISTRY_URL'] ?? '') === '' ? DEFAULT_REGISTRY : (env['CEPHEUS_REGISTRY_URL'] as string);
  const bad = brokers.filter((b) => !/^[^\s]+:\d{1,5}$/.test(b));
  if (brokers.length === 0 || bad.length > 0) {
    throw new CepError('CEP_ERR_BENCH_KAFKA', `--kafka expects host:port[,host:port...], auto or off (got '${option}')`);
  }
  const remote = [...brokers.filter((b) => !LOOPBACK.has(hostOf(b))), ...(LOOPBACK.has(new URL(registryUrl).hostname) ? [] : [registryUrl])];
  if (remote.length > 0) {
    throw new CepError('CEP_ERR_BENCH_NOT_LOOPBACK', `the through-Kafka bench targets only loopback, and ${remote.join(', ')} is not`,
      ['run a local broker and registry (`npm run kafka:start`), or pass --kafka off']);
  }
  const broker = await tcp(brokers[0] as string);
  const registry = broker && (await registryAnswers(registryUrl));
  if (broker && registry) return { status: 'available', target: { brokers, registryUrl } };
  const missing = broker ? `no schema registry answers at ${registryUrl}` : `no Kafka broker answers at ${brokers.join(',')}`;
  if (option !== 'auto') throw new CepError('CEP_ERR_BENCH_KAFKA', `--kafka ${option}: ${missing}`, ['start them with `npm run kafka:start`, or pass --kafka off']);
  return { status: 'unavailable', reason: `${missing}; start a local broker and registry with \`npm run kafka:start\`, then run \`npm run bench\` again` };
}
