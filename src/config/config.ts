// Service configuration: one YAML or JSON file plus CEPHEUS_* environment overrides,
// validated at start (zod). A bad value stops the start with every problem named by its key
// and what is expected (CEP_ERR_CONFIG), never a crash later.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CepError } from '../core/errors.ts';

const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port');
const topic = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'expected a Kafka topic name (letters, digits, . _ -)');
const nonNeg = z.number().int().min(0);

export const ConfigSchema = z.object({
  kafka: z.object({
    brokers: z.array(hostPort).min(1, 'expected at least one broker'),
    clientId: z.string().min(1).default('cepheus'),
    groupId: z.string().min(1).default('cepheus'),
    ssl: z.boolean().default(false),
    sasl: z.object({ mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']), username: z.string().min(1), password: z.string().min(1) }).strict().optional(),
  }).strict(),
  registry: z.object({ url: z.url('expected an http(s) URL') }).strict().nullable().default(null),
  topics: z.object({ login: topic, order: topic, trade: topic, transfer: topic }).strict(),
  output: z.object({ alerts: topic, deadLetter: topic, state: topic }).strict(),
  rules: z.array(z.string().min(1)).default([]),
  workers: z.number().int().min(1).max(256).optional(),
  engine: z.object({
    outOfOrdernessMs: nonNeg.default(5000), allowedLatenessMs: nonNeg.default(0),
    maxPartialMatches: z.number().int().min(1).default(1000), maxWindowEvents: z.number().int().min(1).default(10_000),
    idleKeyTtlMs: nonNeg.default(45 * 86_400_000),
  }).strict().default({ outOfOrdernessMs: 5000, allowedLatenessMs: 0, maxPartialMatches: 1000, maxWindowEvents: 10_000, idleKeyTtlMs: 45 * 86_400_000 }),
  commitIntervalMs: z.number().int().min(10).max(60_000).default(200),
  idleTimeoutMs: z.number().int().min(100).default(10_000),
  api: z.object({ host: z.string().min(1).default('127.0.0.1'), port: z.number().int().min(1).max(65_535).default(8080), tokens: z.record(z.string().min(8), z.enum(['read', 'admin'])).default({}) })
    .strict().default({ host: '127.0.0.1', port: 8080, tokens: {} }),
  store: z.object({ path: z.string().min(1).default('.run/alerts.db'), retentionDays: z.number().positive().optional() }).strict().default({ path: '.run/alerts.db' }),
}).strict();

export type Config = z.infer<typeof ConfigSchema>;

/** Environment overrides, applied over the file: name → config path and type. */
export const ENV_OVERRIDES: Readonly<Record<string, { readonly path: readonly string[]; readonly type: 'list' | 'string' | 'int' }>> = {
  CEPHEUS_KAFKA_BROKERS: { path: ['kafka', 'brokers'], type: 'list' },
  CEPHEUS_KAFKA_CLIENT_ID: { path: ['kafka', 'clientId'], type: 'string' },
  CEPHEUS_KAFKA_GROUP_ID: { path: ['kafka', 'groupId'], type: 'string' },
  CEPHEUS_REGISTRY_URL: { path: ['registry', 'url'], type: 'string' },
  CEPHEUS_WORKERS: { path: ['workers'], type: 'int' },
  CEPHEUS_API_HOST: { path: ['api', 'host'], type: 'string' },
  CEPHEUS_API_PORT: { path: ['api', 'port'], type: 'int' },
  CEPHEUS_STORE_PATH: { path: ['store', 'path'], type: 'string' },
};

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

/** Validates raw config (already merged); throws CEP_ERR_CONFIG listing every problem. */
export function validateConfig(raw: unknown, source = 'config'): Config {
  const r = ConfigSchema.safeParse(raw);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => {
    const key = i.path.length === 0 ? '(top level)' : i.path.map(String).join('.');
    const what = i.code === 'unrecognized_keys' ? `unknown key(s) ${i.keys.join(', ')}; remove or fix the spelling` : i.message.replace(/^Invalid input: /, '');
    return `${key}: ${what}`;
  });
  throw new CepError('CEP_ERR_CONFIG', `${source} is invalid; fix these and start again`, problems);
}

/** Reads a YAML/JSON file (if given), applies env overrides, validates. */
export function loadConfig(file: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): Config {
  let raw: Record<string, unknown> = {};
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new CepError('CEP_ERR_CONFIG', `cannot read config file ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    try {
      raw = (file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as Record<string, unknown>;
    } catch (err) {
      throw new CepError('CEP_ERR_CONFIG', `${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (typeof raw !== 'object' || raw === null) throw new CepError('CEP_ERR_CONFIG', `${file} must hold a mapping of settings`);
  }
  for (const [name, spec] of Object.entries(ENV_OVERRIDES)) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    const value = spec.type === 'list' ? v.split(',').map((s) => s.trim()).filter(Boolean) : spec.type === 'int' ? Number(v) : v;
    setPath(raw, spec.path, value);
  }
  return validateConfig(raw, file ?? 'environment');
}
