// Before a command talks Kafka: does any configured broker accept a connection? kafkajs would
// retry for about 30 s, logging each attempt; a plain TCP connect to each address answers in
// milliseconds (refused) or `timeoutMs` (silent), and the error says what to start or set.
import { connect } from 'node:net';
import { CepError } from '../core/errors.ts';

function tryConnect(address: string, timeoutMs: number): Promise<string | null> {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(i + 1));
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (problem: string | null): void => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs} ms`));
    socket.once('connect', () => done(null));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED' ? 'connection refused' : (err.code ?? err.message)));
  });
}

/** Resolves when one broker accepts a TCP connection; else throws CEP_ERR_KAFKA_UNREACHABLE naming each address and its problem. */
export async function checkBrokers(brokers: readonly string[], timeoutMs = 3000): Promise<void> {
  const problems = await Promise.all(brokers.map((b) => tryConnect(b, timeoutMs)));
  if (problems.some((p) => p === null)) return;
  throw new CepError('CEP_ERR_KAFKA_UNREACHABLE', `no Kafka broker answers at ${brokers.join(', ')}`, [
    ...brokers.map((b, i) => `${b}: ${problems[i]}`),
    'start one (a local broker and registry: npm run kafka:start), or point kafka.brokers in the config (or CEPHEUS_KAFKA_BROKERS=host:port,...) at yours',
  ]);
}
