// Service configuration: one YAML or JSON file plus CEPHEUS_* environment overrides,
// validated at start (zod). A bad value stops the start with every problem named by its key
// and what is expected (CEP_ERR_CONFIG), never a crash later.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CepError } from '../core/errors.ts';
import { DEFAULT_MCP_SETTINGS, McpSettingsSchema } from './mcp-settings.ts';
import { PASSWORD_FIELDS, resolvePassword } from './secrets.ts';
import { SourcesSchema, checkKindSources } from './sources.ts';
import { IDENTITY_NAME, IDENTITY_NAME_RULE, SCOPES } from './tokens.ts';
import { DEFAULT_ENGINE_OPTIONS } from '../core/engine/index.ts';
import { MAX_HEAP_MB, MIN_HEAP_MB } from './heap-limits.ts';
import type { HeapLimitSetting } from './heap-limits.ts';

const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port');
const topic = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'expected a Kafka topic name (letters, digits, . _ -)');
const nonNeg = z.number().int().min(0);

/** An input topic: a name (Confluent-framed values, schemas from the registry) or the long form. */
const inputTopic = z.union([
  topic,
  z.object({
    topic,
    /** `confluent` (default): magic byte + registry schema id; `avro`: plain Avro records. */
    format: z.enum(['confluent', 'avro']).default('confluent'),
    /** For `avro`: the writer schema file (.avsc); default: Cepheus's own schema for the kind. */
    schema: z.string().min(1).optional(),
  }).strict(),
]);

const scope = z.enum(SCOPES, 'expected read or admin');

/** A key budget: a whole number of keys, or `none` for no bound (the engine's Infinity). */
const keyBudget = z.unknown().transform((v, ctx): number => {
  if (v === 'none') return Infinity;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1) return v;
  ctx.addIssue({ code: 'custom', message: `expected a whole number of keys >= 1, or \`none\` (got ${JSON.stringify(v)})` });
  return z.NEVER;
});
/** A heap limit: `auto` (from the key budget) or a whole number of MiB. */
const heapLimit = z.unknown().transform((v, ctx): HeapLimitSetting => {
  if (v === 'auto') return v;
  if (typeof v === 'number' && Number.isInteger(v) && v >= MIN_HEAP_MB && v <= MAX_HEAP_MB) return v;
  ctx.addIssue({ code: 'custom', message: `expected \`auto\` (from the key budget) or a whole number of MiB from ${MIN_HEAP_MB} to ${MAX_HEAP_MB} (got ${JSON.stringify(v)})` });
  return z.NEVER;
});
const { maxKeys: DEFAULT_MAX_KEYS, keyGroups: DEFAULT_KEY_GROUPS } = DEFAULT_ENGINE_OPTIONS;

const RULES_DEFAULTS: { readonly approvals: 1 | 2; readonly maxBundleBytes: number; readonly proposalTtlMs: number; readonly cacheDir: string } = {
  approvals: 1, maxBundleBytes: 1_048_576, proposalTtlMs: 86_400_000, cacheDir: '.run/bundles',
};
const RulesSettings = z.object({
  modules: z.array(z.string().min(1)).default([]),
  /** 2: a change one admin proposes applies only once another admin approves it (four eyes). */
  approvals: z.union([z.literal(1), z.literal(2)], 'expected 1 or 2').default(RULES_DEFAULTS.approvals),
  /** A bundle (the sources of its modules) over this many bytes is refused. */
  maxBundleBytes: z.number().int().min(1024).max(8_388_608).default(RULES_DEFAULTS.maxBundleBytes),
  /** A proposal not approved within this long expires. */
  proposalTtlMs: z.number().int().min(1000).default(RULES_DEFAULTS.proposalTtlMs),
  /** Where bundles from the control topic are written to be loaded (one folder per content hash). */
  cacheDir: z.string().min(1).default(RULES_DEFAULTS.cacheDir),
}).strict();

const DEFAULT_ENGINE = {
  outOfOrdernessMs: 5000, allowedLatenessMs: 0, maxPartialMatches: 1000, maxWindowEvents: 10_000, idleKeyTtlMs: 45 * 86_400_000,
  maxKeys: DEFAULT_MAX_KEYS, maxKeysBySpace: {}, keyGroups: DEFAULT_KEY_GROUPS, heapLimitMb: 'auto' as HeapLimitSetting,
};

export const ConfigSchema = z.object({
  kafka: z.object({
    brokers: z.array(hostPort).min(1, 'expected at least one broker'),
    clientId: z.string().min(1).default('cepheus'),
    /** Consumer group; also names the transactional id and the checkpoint in the state topic. */
    groupId: z.string().min(1).default('cepheus'),
    /** true for TLS with the system CAs, or files (PEM) for a private CA / client certificates. */
    ssl: z.union([z.boolean(), z.object({ ca: z.string().min(1).optional(), cert: z.string().min(1).optional(), key: z.string().min(1).optional(), rejectUnauthorized: z.boolean().default(true) }).strict()]).default(false),
    /** SASL: the password inline, or `passwordFile` (read at start). */
    sasl: z.object({ mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']), username: z.string().min(1), ...PASSWORD_FIELDS }).strict()
      .transform(resolvePassword(true)).optional(),
    /** A member silent this long leaves the group (the broker allows 6 000 ms and up by default). */
    sessionTimeoutMs: z.number().int().min(1000).max(300_000).default(10_000),
  }).strict(),
  /** Basic auth with `username` and `password` or `passwordFile`; a private CA over HTTPS: NODE_EXTRA_CA_CERTS. */
  registry: z.object({
    url: z.url('expected an http(s) URL'),
    username: z.string().min(1).optional(),
    ...PASSWORD_FIELDS,
  }).strict().transform(resolvePassword(false)).nullable().default(null),
  /** Event kind → Kafka input topic. Several kinds may share a topic (Confluent format only). */
  topics: z.object({ login: inputTopic.optional(), order: inputTopic.optional(), trade: inputTopic.optional(), transfer: inputTopic.optional() })
    .strict().default({}),
  /** Sources beside Kafka (RabbitMQ streams): kind → stream, like `topics:` (config/sources.ts). */
  sources: SourcesSchema,
  output: z.object({
    alerts: topic,
    deadLetter: topic,
    /** Late events; defaults to the dead-letter topic (with code CEP_ERR_LATE_EVENT). */
    late: topic.optional(),
    /** Compacted topic holding checkpoints (engine state); created when missing. */
    state: topic,
    /** Create missing alert / dead-letter / late topics at start. */
    createTopics: z.boolean().default(true),
    partitions: z.number().int().min(1).max(10_000).default(3),
    /** -1: the broker's default. */
    replicationFactor: z.number().int().min(-1).max(32).default(-1),
    /** Compacted topic holding the rule set (bundles and changes); default `<state>.rules`. Created when missing. */
    control: topic.optional(),
    /** Alerts of candidate rules in shadow (never the alerts topic); default `<alerts>.shadow`. Created when missing, like the alerts topic. */
    shadow: topic.optional(),
  }).strict(),
  /**
   * Rule modules (bundled ids, files, folders: the initial bundle of the control log), or the
   * long form with the rule lifecycle's settings (docs/operations.md, Changing rules in production).
   */
  rules: z.union([z.array(z.string().min(1)).transform((modules) => ({ ...RULES_DEFAULTS, modules })), RulesSettings]).default({ ...RULES_DEFAULTS, modules: [] }),
  workers: z.number().int().min(1).max(64).optional(),
  engine: z.object({
    outOfOrdernessMs: nonNeg.default(5000), allowedLatenessMs: nonNeg.default(0),
    maxPartialMatches: z.number().int().min(1).default(1000), maxWindowEvents: z.number().int().min(1).default(10_000),
    idleKeyTtlMs: nonNeg.default(45 * 86_400_000),
    /** Keys per key space at most, over all shards (each shard holds its key groups' share); `none`: no bound. */
    maxKeys: keyBudget.default(DEFAULT_MAX_KEYS),
    /** maxKeys for particular key spaces, by name. */
    maxKeysBySpace: z.record(z.string().min(1), keyBudget).default({}),
    /** Key groups: the unit of shard ownership and of the budget; at least 64 (the most shards). */
    keyGroups: z.number().int().min(64).max(65_536).default(DEFAULT_KEY_GROUPS),
    /** Each shard thread's old-generation heap limit in MiB; `auto`: from the key budget (heap-limits.ts). */
    heapLimitMb: heapLimit.default('auto'),
  }).strict().superRefine((e, ctx) => {
    const check = (path: (string | number)[], v: number): void => {
      if (v < e.keyGroups) ctx.addIssue({ code: 'custom', path, message: `expected at least keyGroups (${e.keyGroups}): every key group needs room for a key; or \`none\` for no bound` });
    };
    check(['maxKeys'], e.maxKeys);
    for (const [name, v] of Object.entries(e.maxKeysBySpace)) check(['maxKeysBySpace', name], v);
  }).default(DEFAULT_ENGINE),
  /** Where to start a partition with no committed offset and no checkpoint. */
  startFrom: z.enum(['earliest', 'latest']).default('earliest'),
  /** Alerts, dead letters and consumed offsets commit together at this interval. */
  commitIntervalMs: z.number().int().min(10).max(60_000).default(200),
  /** A pending alert starts a commit this soon (rounds done meanwhile join it): alerts visible in milliseconds, not at the next interval. */
  alertCommitDelayMs: z.number().int().min(0).max(60_000).default(2),
  /** ...but never sooner than this after the previous commit started: at most 1000 / this commits a second, whatever the alert rate. */
  alertCommitGapMs: z.number().int().min(0).max(60_000).default(20),
  /** Engine state is checkpointed with a commit at this interval (a restart replays at most this much input). */
  snapshotIntervalMs: z.number().int().min(100).max(3_600_000).default(30_000),
  /**
   * An event more than this ahead of its record's Kafka timestamp is quarantined (dead-lettered
   * with CEP_ERR_FUTURE_EVENT, moving no watermark). Below health.watermarkAheadMs, so an event
   * let in never makes /readyz say the watermark is far ahead.
   */
  maxFutureSkewMs: z.number().int().min(0).default(300_000),
  /** A partition with nothing new for this long stops holding event time back. */
  idleTimeoutMs: z.number().int().min(100).default(10_000),
  /** Rounds in flight to the shard workers before the consumer is paused (backpressure). */
  maxInFlight: z.number().int().min(1).max(64).default(4),
  /** Values per round to the shard workers. */
  roundMaxValues: z.number().int().min(1).max(1_000_000).default(8192),
  /** When /readyz says something is wrong (see docs/operations.md, Failure modes). */
  health: z.object({
    /** Broker unreachable: a connection error, then nothing fetched or committed for this long. */
    brokerTimeoutMs: z.number().int().min(500).max(600_000).default(10_000),
    /** Watermark stalled: input arriving, the watermark unmoved for this long. */
    watermarkStallMs: z.number().int().min(1000).default(120_000),
    /** Watermark far ahead: more than this past the wall clock. */
    watermarkAheadMs: z.number().int().min(0).default(900_000),
  }).strict().default({ brokerTimeoutMs: 10_000, watermarkStallMs: 120_000, watermarkAheadMs: 900_000 }),
  api: z.object({
    enabled: z.boolean().default(true),
    host: z.string().min(1).default('127.0.0.1'), port: z.number().int().min(1).max(65_535).default(8080),
    /** token → scope (`read` | `admin`), or { scope, name }: changes are attributed to the name. */
    tokens: z.record(z.string().min(8, 'expected a token of at least 8 characters'), z.union([
      z.string().pipe(scope),
      z.object({ scope, name: z.string().regex(IDENTITY_NAME, IDENTITY_NAME_RULE) }).strict(),
    ])).default({}),
    /** The MCP endpoint (/mcp) on the same server, with the same tokens. */
    mcp: McpSettingsSchema.default(DEFAULT_MCP_SETTINGS),
  }).strict().default({ enabled: true, host: '127.0.0.1', port: 8080, tokens: {}, mcp: DEFAULT_MCP_SETTINGS }),
  store: z.object({ path: z.string().min(1).default('.run/alerts.db'), retentionDays: z.number().positive().optional() }).strict().default({ path: '.run/alerts.db' }),
  log: z.object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).strict().default({ level: 'info' }),
}).strict().superRefine(checkKindSources).refine((c) => c.maxFutureSkewMs < c.health.watermarkAheadMs, {
  path: ['maxFutureSkewMs'],
  message: 'expected less than health.watermarkAheadMs (an event the future-event guard lets in must not make /readyz report a runaway watermark): lower it or raise that',
});

export type Config = z.infer<typeof ConfigSchema>;

/** The control topic of a config: `output.control`, or `<output.state>.rules`. */
export const controlTopicOf = (c: Pick<Config, 'output'>): string => c.output.control ?? `${c.output.state}.rules`;

/** The shadow alerts topic of a config: `output.shadow`, or `<output.alerts>.shadow`. */
export const shadowTopicOf = (c: { readonly output: Pick<Config['output'], 'alerts' | 'shadow'> }): string => c.output.shadow ?? `${c.output.alerts}.shadow`;

/** Environment overrides, applied over the file: name → config path and type. */
export const ENV_OVERRIDES: Readonly<Record<string, { readonly path: readonly string[]; readonly type: 'list' | 'string' | 'int' }>> = {
  CEPHEUS_KAFKA_BROKERS: { path: ['kafka', 'brokers'], type: 'list' },
  CEPHEUS_KAFKA_CLIENT_ID: { path: ['kafka', 'clientId'], type: 'string' },
  CEPHEUS_KAFKA_GROUP_ID: { path: ['kafka', 'groupId'], type: 'string' },
  CEPHEUS_KAFKA_SASL_MECHANISM: { path: ['kafka', 'sasl', 'mechanism'], type: 'string' },
  CEPHEUS_KAFKA_SASL_USERNAME: { path: ['kafka', 'sasl', 'username'], type: 'string' },
  CEPHEUS_KAFKA_SASL_PASSWORD: { path: ['kafka', 'sasl', 'password'], type: 'string' },
  CEPHEUS_KAFKA_SASL_PASSWORD_FILE: { path: ['kafka', 'sasl', 'passwordFile'], type: 'string' },
  CEPHEUS_KAFKA_SSL_CA: { path: ['kafka', 'ssl', 'ca'], type: 'string' },
  CEPHEUS_REGISTRY_URL: { path: ['registry', 'url'], type: 'string' },
  CEPHEUS_REGISTRY_USERNAME: { path: ['registry', 'username'], type: 'string' },
  CEPHEUS_REGISTRY_PASSWORD: { path: ['registry', 'password'], type: 'string' },
  CEPHEUS_REGISTRY_PASSWORD_FILE: { path: ['registry', 'passwordFile'], type: 'string' },
  CEPHEUS_RULES: { path: ['rules', 'modules'], type: 'list' },
  CEPHEUS_WORKERS: { path: ['workers'], type: 'int' },
  CEPHEUS_LOG_LEVEL: { path: ['log', 'level'], type: 'string' },
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

/** A zod issue as "key: what is expected"; a union reports the branch the input was aiming at. */
function describe(i: z.core.$ZodIssue, prefix: readonly PropertyKey[]): string[] {
  const path = [...prefix, ...i.path];
  if (i.code === 'invalid_union' && i.errors.length > 0) {
    // The branch whose root type matched (e.g. the object form, not the plain string).
    const aimed = i.errors.filter((branch) => !branch.some((b) => b.code === 'invalid_type' && b.path.length === 0));
    const pick = (aimed.length > 0 ? aimed : i.errors).reduce((a, b) => (b.length < a.length ? b : a));
    return pick.flatMap((b) => describe(b, path));
  }
  const key = path.length === 0 ? '(top level)' : path.map(String).join('.');
  const what = i.code === 'unrecognized_keys' ? `unknown key(s) ${i.keys.join(', ')}; remove or fix the spelling`
    : i.code === 'invalid_key' ? (i.issues[0]?.message ?? i.message) : i.message.replace(/^Invalid input: /, '');
  return [`${key}: ${what}`];
}

/** Validates raw config (already merged); throws CEP_ERR_CONFIG listing every problem. */
export function validateConfig(raw: unknown, source = 'config'): Config {
  const r = ConfigSchema.safeParse(raw);
  if (r.success) return r.data;
  throw new CepError('CEP_ERR_CONFIG', `${source} is invalid; fix these and start again`, r.error.issues.flatMap((i) => describe(i, [])));
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
  // The short form of `rules` (a list of modules) as the long one, so CEPHEUS_RULES replaces only the modules.
  if (Array.isArray(raw['rules'])) raw['rules'] = { modules: raw['rules'] as unknown[] };
  for (const [name, spec] of Object.entries(ENV_OVERRIDES)) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    const value = spec.type === 'list' ? v.split(',').map((s) => s.trim()).filter(Boolean) : spec.type === 'int' ? Number(v) : v;
    setPath(raw, spec.path, value);
  }
  return validateConfig(raw, file ?? 'environment');
}
