// Before a command talks Kafka: does any configured broker accept a connection? kafkajs would
// retry for about 30 s, logging each attempt; a plain TCP connect to each address answers in
// milliseconds (refused) or `timeoutMs` (silent), and the error says what to start or set.
// With TLS configured the check is a TLS handshake with the same trust settings kafkajs gets:
// an untrusted certificate (or a listener that does not speak TLS) fails at once with
// CEP_ERR_KAFKA_TLS instead of thirty seconds of kafkajs retries.
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions } from 'node:tls';
import { CepError } from '../core/errors.ts';
import { tlsProblem } from './kafka-errors.ts';

type Outcome = { readonly ok: true } | { readonly ok: false; readonly tls: boolean; readonly problem: string };

function tryConnect(address: string, timeoutMs: number, tls: ConnectionOptions | undefined): Promise<Outcome> {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(i + 1));
  return new Promise((resolve) => {
    let connected = false;
    const socket = tls === undefined
      ? connect({ host, port })
      : tlsConnect({ ...tls, host, port, ...(/^[\d.]+$|:/.test(host) ? {} : { servername: host }) });
    const done = (o: Outcome): void => {
      socket.destroy();
      resolve(o);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, tls: connected, problem: connected ? `no TLS handshake within ${timeoutMs} ms (does the listener speak TLS?)` : `no answer within ${timeoutMs} ms` }));
    socket.once('connect', () => {
      connected = true;
    });
    socket.once(tls === undefined ? 'connect' : 'secureConnect', () => done({ ok: true }));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const t = tlsProblem(err);
      if (t !== undefined) done({ ok: false, tls: true, problem: t });
      else if (connected && tls !== undefined) done({ ok: false, tls: true, problem: `the TLS handshake failed (${err.code ?? err.message}): does the listener speak TLS?` });
      else done({ ok: false, tls: false, problem: err.code === 'ECONNREFUSED' ? 'connection refused' : (err.code ?? err.message) });
    });
  });
}

/**
 * Resolves when one broker accepts a connection (a TLS handshake when `tls` is given); else
 * throws CEP_ERR_KAFKA_TLS when a handshake failed, CEP_ERR_KAFKA_UNREACHABLE otherwise,
 * naming each address and its problem.
 */
export async function checkBrokers(brokers: readonly string[], timeoutMs = 3000, tls?: ConnectionOptions): Promise<void> {
  const outcomes = await Promise.all(brokers.map((b) => tryConnect(b, timeoutMs, tls)));
  if (outcomes.some((o) => o.ok)) return;
  const lines = brokers.map((b, i) => {
    const o = outcomes[i];
    return `${b}: ${o === undefined || o.ok ? 'ok' : o.problem}`;
  });
  if (outcomes.some((o) => !o.ok && o.tls)) {
    throw new CepError('CEP_ERR_KAFKA_TLS', `the TLS handshake with the brokers at ${brokers.join(', ')} failed`, [
      ...lines,
      'for a private CA set kafka.ssl.ca (a PEM file) or CEPHEUS_KAFKA_SSL_CA; check that the broker certificate names the host in kafka.brokers, and that the port is a TLS listener (SSL or SASL_SSL)',
    ]);
  }
  throw new CepError('CEP_ERR_KAFKA_UNREACHABLE', `no Kafka broker answers at ${brokers.join(', ')}`, [
    ...lines,
    'start one (a local broker and registry: npm run kafka:start), or point kafka.brokers in the config (or CEPHEUS_KAFKA_BROKERS=host:port,...) at yours',
  ]);
}
