// Schema registry access for the service (Confluent API: Confluent Schema Registry, or
// Apicurio's /apis/ccompat/v7): writer schemas of input records by id, resolved once and
// handed to the shard workers; the alert schema registered for the alerts topic. A schema
// id the registry does not know is data (its records are dead-lettered); a registry that
// does not answer is not: the pipeline waits and retries, it never dead-letters good events.
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { CepError } from '../core/errors.ts';
import type { Logger } from 'pino';
import type { SchemaSpec } from '../io/kafka-value.ts';
import { tlsProblem } from './kafka-errors.ts';
import { retry } from './retry.ts';

const UNKNOWN_TTL_MS = 60_000;

export interface RegistryOptions {
  readonly url: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
}

/** Options of the clients registryClient() made, for the calls the library does not offer. */
const OPTIONS = new WeakMap<SchemaRegistry, RegistryOptions>();

export function registryClient(o: RegistryOptions): SchemaRegistry {
  const r = new SchemaRegistry({
    host: o.url, retry: { retries: 2 },
    ...(o.username === undefined ? {} : { auth: { username: o.username, password: o.password ?? '' } }),
  });
  OPTIONS.set(r, o);
  return r;
}

const COMPATIBILITY_LEVELS = new Set(Object.values(COMPATIBILITY) as string[]);

/**
 * The compatibility level configured for a subject (undefined when the subject has none of
 * its own: the registry's global level applies).
 */
async function subjectCompatibility(o: RegistryOptions, subject: string): Promise<COMPATIBILITY | undefined> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (o.username !== undefined) headers['authorization'] = `Basic ${Buffer.from(`${o.username}:${o.password ?? ''}`).toString('base64')}`;
  const res = await fetch(`${o.url.replace(/\/$/, '')}/config/${encodeURIComponent(subject)}`, { headers, signal: AbortSignal.timeout(10_000) });
  if (res.status === 404) return undefined;
  if (res.status === 401 || res.status === 403) {
    throw new CepError('CEP_ERR_REGISTRY', `schema registry ${o.url}: GET /config/${subject} answered ${res.status}: the registry refused ${o.username === undefined ? 'a request without credentials' : `user ${o.username}`}`,
      ['set registry.username and registry.password (or passwordFile, or CEPHEUS_REGISTRY_USERNAME / CEPHEUS_REGISTRY_PASSWORD / _FILE)']);
  }
  if (!res.ok) throw new CepError('CEP_ERR_REGISTRY', `schema registry ${o.url}: GET /config/${subject} answered ${res.status}`);
  const level = String(((await res.json()) as { compatibilityLevel?: unknown }).compatibilityLevel ?? '').toUpperCase();
  return COMPATIBILITY_LEVELS.has(level) ? level as COMPATIBILITY : undefined;
}

export class SchemaResolver {
  private readonly registry: SchemaRegistry;
  private readonly log: Logger;
  private readonly known = new Set<number>();
  private readonly unknownUntil = new Map<number, number>();
  private readonly stopping = new AbortController();

  constructor(registry: SchemaRegistry, log: Logger) {
    this.registry = registry;
    this.log = log;
  }

  /** Ids not resolved yet (nor known to be missing) among `ids`. */
  missing(ids: Iterable<number>, now = Date.now()): number[] {
    const out: number[] = [];
    for (const id of ids) {
      if (this.known.has(id) || (this.unknownUntil.get(id) ?? 0) > now) continue;
      if (!out.includes(id)) out.push(id);
    }
    return out;
  }

  /**
   * Resolves ids to writer schemas. Ids the registry does not have are left out (their
   * records are rejected by the workers as CEP_ERR_INPUT_SCHEMA_UNKNOWN); other failures are
   * retried with backoff until the registry answers or stop() is called.
   */
  async resolve(ids: readonly number[]): Promise<SchemaSpec[]> {
    const out: SchemaSpec[] = [];
    const notFound = (err: unknown): boolean => (err as { status?: number }).status === 404;
    for (const id of ids) {
      try {
        const type = await retry(() => this.registry.getSchema(id), {
          attempts: Infinity, baseMs: 200, maxMs: 5000, signal: this.stopping.signal, retryable: (err) => !notFound(err),
          onRetry: (err, attempt, wait) => this.log.warn({ schemaId: id, attempt, err }, `schema registry unavailable; retrying in ${wait} ms (nothing is dead-lettered meanwhile)`),
        }) as unknown as { schema: (o: { exportAttrs: boolean }) => unknown };
        out.push({ id, schema: JSON.stringify(type.schema({ exportAttrs: true })) });
        this.known.add(id);
      } catch (err) {
        if (!notFound(err)) throw err;
        this.unknownUntil.set(id, Date.now() + UNKNOWN_TTL_MS);
        this.log.warn({ schemaId: id }, 'schema id not in the registry: its records go to the dead-letter topic');
      }
    }
    return out;
  }

  /** Stops waiting for a registry that does not answer: a resolve in progress throws its last error. */
  stop(): void {
    this.stopping.abort();
  }

  /**
   * Registers an Avro schema under `subject` and returns its id. A subject that already has a
   * compatibility level keeps it (Cepheus never changes it); a new one gets BACKWARD. A schema
   * the subject's level refuses stops with what to do.
   */
  async register(schema: string, subject: string): Promise<number> {
    const o = OPTIONS.get(this.registry);
    let level: COMPATIBILITY | undefined;
    try {
      level = o === undefined ? undefined : await subjectCompatibility(o, subject);
    } catch (err) {
      // The first request of a start: an untrusted certificate is said plainly.
      const tls = tlsProblem(err);
      if (tls === undefined) throw err;
      throw new CepError('CEP_ERR_REGISTRY', `the TLS handshake with the schema registry ${o?.url ?? ''} failed: ${tls}`, [
        'for a private CA start the service with NODE_EXTRA_CA_CERTS=<ca.pem> (Node\'s trust store, used for every HTTPS request)',
      ], { cause: err });
    }
    try {
      const { id } = await this.registry.register({ type: SchemaType.AVRO, schema }, { subject, ...(level === undefined ? {} : { compatibility: level }) });
      return id;
    } catch (err) {
      if ((err as { status?: number }).status === 409) {
        throw new CepError('CEP_ERR_SCHEMA_INCOMPATIBLE', `subject ${subject} (compatibility ${level ?? 'from the registry default'}) refuses Cepheus's schema: ${(err as Error).message}`,
          ['register it under another subject (another topic), or have the subject\'s owner lower its compatibility level'], { cause: err });
      }
      throw err;
    }
  }

  encode(id: number, record: unknown): Promise<Buffer> {
    return this.registry.encode(id, record);
  }
}
