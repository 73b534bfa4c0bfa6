// The kafkajs client, built from the service config: brokers, TLS (files read at start, so a
// missing certificate fails the start with its path) and SASL passed through, and kafkajs's
// log routed to ours. kafkajs stays behind src/kafka/: the rest of Cepheus sees our own
// source / sink interfaces (source.ts, sink.ts), so another client can replace it.
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaConfig, LogEntry, SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import { CepError } from '../core/errors.ts';
import { CONNECTION_TROUBLE } from './kafka-errors.ts';

/** kafkajs lines that are expected during normal operation (rebalances, a fresh broker). */
const EXPECTED = [/group coordinator is not available/i, /coordinator is loading/i, /rebalanc/i, /not aware of this member/i, /heartbeat/i];

function readPem(path: string | undefined, what: string): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new CepError('CEP_ERR_CONFIG', `kafka.ssl.${what}: cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The connection settings kafkajs gets: brokers, TLS material read from its files, SASL, retries. */
export function connectionOf(c: Config['kafka'], clientId: string = c.clientId): Pick<KafkaConfig, 'clientId' | 'brokers' | 'ssl' | 'sasl' | 'retry' | 'connectionTimeout'> {
  const ssl: KafkaConfig['ssl'] = typeof c.ssl === 'boolean' ? c.ssl : {
    rejectUnauthorized: c.ssl.rejectUnauthorized,
    ...(c.ssl.ca === undefined ? {} : { ca: [readPem(c.ssl.ca, 'ca') as string] }),
    ...(c.ssl.cert === undefined ? {} : { cert: readPem(c.ssl.cert, 'cert') }),
    ...(c.ssl.key === undefined ? {} : { key: readPem(c.ssl.key, 'key') }),
  };
  const sasl = c.sasl === undefined ? undefined : ({ mechanism: c.sasl.mechanism, username: c.sasl.username, password: c.sasl.password } as SASLOptions);
  // kafkajs gives a connection 1 s by default, TLS handshake included: on a loaded host (2 shared
  // cores under the security tests) a handshake took longer, and every client reconnected.
  const slow = ssl === false ? {} : { connectionTimeout: 3000 };
  return { clientId, brokers: c.brokers, ssl, ...(sasl === undefined ? {} : { sasl }), retry: { retries: 8, initialRetryTime: 100 }, ...slow };
}

/** The TLS settings of the connection (undefined without TLS), for the start-up handshake check. */
export function tlsOf(c: Config['kafka']): ConnectionOptions | undefined {
  const ssl = connectionOf(c).ssl;
  return ssl === true ? {} : ssl === false || ssl === undefined ? undefined : ssl;
}

/**
 * A kafkajs client logging through ours. `onConnectionError` hears every kafkajs error line that
 * says a broker could not be reached (the service's evidence that the broker is unreachable).
 */
export function kafkaClient(c: Config['kafka'], log: Logger, clientId: string = c.clientId, onConnectionError?: (message: string) => void): Kafka {
  const klog = log.child({ component: 'kafkajs' });
  return new Kafka({
    ...connectionOf(c, clientId),
    logLevel: logLevel.WARN,
    logCreator: () => ({ level, log: entry }: LogEntry) => {
      const { message, timestamp: _t, logger: _l, ...extra } = entry;
      if (level <= logLevel.ERROR && !EXPECTED.some((re) => re.test(message))) {
        klog.error(extra, message);
        if (onConnectionError !== undefined && CONNECTION_TROUBLE.test(message)) onConnectionError(message);
      } else if (level <= logLevel.WARN) klog.debug(extra, message);
    },
  });
}
