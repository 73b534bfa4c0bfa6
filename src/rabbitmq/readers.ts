// The stream readers a config's `sources:` asks for: one RabbitStreamSource per source, its
// streams named as inputs (rabbitmq-stream:<stream>), TLS files read at start.
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { RabbitStreamSource as SourceConfig } from '../config/sources.ts';
import { rabbitStreamTopic } from '../config/sources.ts';
import { CepError } from '../core/errors.ts';
import { EVENT_KINDS } from '../events/types.ts';
import { RabbitStreamSource } from './stream-source.ts';
import type { RabbitStreamOptions } from './stream-source.ts';

function tlsOf(s: SourceConfig, key: string): RabbitStreamOptions['tls'] {
  const t = s.tls;
  if (typeof t === 'boolean') return t || s.url.startsWith('amqps:');
  const file = (f: string | undefined, name: string): Buffer | undefined => {
    if (f === undefined) return undefined;
    try {
      return readFileSync(f);
    } catch (err) {
      throw new CepError('CEP_ERR_CONFIG', `${key}.tls.${name}: cannot read ${f}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const ca = file(t.ca, 'ca');
  const cert = file(t.cert, 'cert');
  const k = file(t.key, 'key');
  return { ...(ca === undefined ? {} : { ca }), ...(cert === undefined ? {} : { cert }), ...(k === undefined ? {} : { key: k }), rejectUnauthorized: t.rejectUnauthorized };
}

export function streamReadersOf(sources: readonly SourceConfig[], log: Logger): RabbitStreamSource[] {
  return sources.map((s, i) => {
    const key = `sources.${i}`;
    const streams = new Map<string, string>();
    for (const kind of EVENT_KINDS) {
      const t = s.streams[kind];
      if (t === undefined) continue;
      const stream = typeof t === 'string' ? t : t.stream;
      streams.set(rabbitStreamTopic(stream), stream);
    }
    return new RabbitStreamSource({ url: s.url, username: s.username, password: s.password, tls: tlsOf(s, key), streams, prefetch: s.prefetch, key, log: log.child({ source: key }) });
  });
}
