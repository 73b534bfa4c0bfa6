// Every error code Cepheus reports, in one table: grouped by area, each with the HTTP status
// it maps to when it reaches the REST API and a one-line meaning. `CepError.code` is typed
// by this table, so a code that is not listed here does not compile. Messages (built where
// the error is raised) say what was wrong and what to do. docs/errors.md is generated from
// this table and a test keeps the two equal.

export interface ErrorSpec {
  readonly area: string;
  readonly status: number;
  readonly meaning: string;
}

const spec = (area: string, status: number, meaning: string): ErrorSpec => ({ area, status, meaning });

export const ERRORS = {
  // ---- configuration and command line
  CEP_ERR_CONFIG: spec('config', 400, 'The service configuration (file or CEPHEUS_* variable) is invalid; the message lists every key to fix.'),
  CEP_ERR_CLI_ARG: spec('config', 400, 'A command-line option has a value outside what it accepts.'),
  CEP_ERR_NO_LABELS: spec('config', 400, 'A command that scores against labels found no labels file for the fixture.'),
  CEP_ERR_SWEEP: spec('config', 400, "A --sweep spec is malformed, or names a rule or parameter the rule set's library factories do not have."),
  CEP_ERR_INIT_TARGET: spec('config', 400, '`cepheus init` was pointed at a folder holding files it would overwrite.'),
  CEP_ERR_NODE_VERSION: spec('config', 500, 'The Node.js running the command cannot strip TypeScript types (Cepheus needs 22.18+, 24 recommended).'),

  // ---- rules
  CEP_ERR_RULE_INVALID: spec('rules', 400, 'A rule definition breaks a rule of the road (the message lists each problem).'),
  CEP_ERR_RULE_DUPLICATE_ID: spec('rules', 400, 'Two loaded rules share an id.'),
  CEP_ERR_RULE_NOT_FOUND: spec('rules', 404, 'A rule spec names no file, folder or bundled rule id.'),
  CEP_ERR_RULE_MODULE: spec('rules', 400, 'A rule module cannot be loaded or exports no rule.'),
  CEP_ERR_RULE_TYPE: spec('rules', 400, 'A rule module does not type-check (each problem as file:line:col and the compiler message); nothing was loaded.'),
  CEP_ERR_BUNDLE_INVALID: spec('rules', 400, 'A rule bundle was refused before anything changed: a module that does not load or exports no rule, an invalid rule, or a dry run on the bundled fixture that failed (the message lists each problem).'),
  CEP_ERR_BUNDLE_TOO_LARGE: spec('rules', 413, 'A rule bundle is over `rules.maxBundleBytes` (the sources of its modules).'),
  CEP_ERR_BUNDLE_EMPTY: spec('rules', 400, 'A rule bundle holds no rule module.'),
  CEP_ERR_BUNDLE_UNCHANGED: spec('rules', 409, 'The bundle deployed is the one in force (same content hash): nothing to change.'),
  CEP_ERR_CONTROL_RECORD: spec('rules', 500, 'A record of the control topic cannot be read (not JSON, another format, not a bundle or change); the message names its key.'),
  CEP_ERR_APPROVAL_SELF: spec('rules', 403, 'Four eyes (`rules.approvals: 2`): the admin who proposed a rule change cannot approve it; another admin must.'),
  CEP_ERR_PROPOSAL_NOT_FOUND: spec('rules', 404, 'No rule change proposal with this id (proposals live on the instance that took them, until applied or expired).'),
  CEP_ERR_PROPOSAL_EXPIRED: spec('rules', 410, 'The rule change proposal expired (`rules.proposalTtlMs`) before a second admin approved it: propose it again.'),
  CEP_ERR_PROPOSAL_CLOSED: spec('rules', 409, 'The rule change proposal was already applied or rejected.'),
  CEP_ERR_SHADOW_RULES: spec('rules', 400, 'A shadow bundle must hold exactly one rule at another version than the live one (or a new rule): the candidate.'),
  CEP_ERR_SHADOW_NOT_FOUND: spec('rules', 404, 'The rule has no candidate in shadow (to diff, promote or discard).'),
  CEP_ERR_RULE_CHANGE_FAILED: spec('rules', 503, 'A rule change was accepted but not committed (the run restored a checkpoint or stopped first): nothing changed; send it again.'),

  // ---- engine and shards
  CEP_ERR_ENGINE_OPTIONS: spec('engine', 400, 'Engine options (lateness, bounds, TTL, key budget, key groups) are out of range, or a key budget names a key space no rule uses.'),
  CEP_ERR_SNAPSHOT: spec('engine', 500, 'An engine snapshot has a format this version cannot read.'),
  CEP_ERR_STREAM: spec('engine', 500, 'An input stream number was used before it was declared (internal).'),
  CEP_ERR_SHARD: spec('engine', 500, 'A shard number or shard count is out of range (1..64 shards, and no more shards than key groups).'),
  CEP_ERR_SHARD_NOT_INITIALISED: spec('engine', 500, 'A shard worker got work before its init task (internal).'),
  CEP_ERR_SHARD_STREAM: spec('engine', 500, 'A shard worker got records of a stream it does not know (internal).'),
  CEP_ERR_SHARD_FORWARD: spec('engine', 500, 'A record forwarded between shards no longer decodes (internal).'),
  CEP_ERR_HEAP_LIMIT: spec('engine', 500, 'A shard thread reached its heap limit (engine.heapLimitMb; by default from the key budget) and was stopped: the service restores the last checkpoint. Raise engine.heapLimitMb, or lower engine.maxKeys.'),
  CEP_ERR_ROUNDS: spec('engine', 500, 'A round was submitted with inconsistent values and offsets (internal).'),

  // ---- event files
  CEP_ERR_INPUT_OPEN: spec('input-file', 400, 'An event file cannot be opened or read.'),
  CEP_ERR_INPUT_FORMAT: spec('input-file', 400, 'An event file name is not .avro, .jsonl or .ndjson.'),
  CEP_ERR_INPUT_AVRO: spec('input-file', 400, 'A file is not an Avro object container, or it is corrupt.'),
  CEP_ERR_INPUT_AVRO_SCHEMA: spec('input-file', 400, "An Avro file's writer schema cannot be read as Cepheus events."),
  CEP_ERR_INPUT_NO_EVENTS: spec('input-file', 400, 'Every record of an event file was invalid, so nothing was replayed; the message gives each code once with its count and first example.'),

  // ---- event records (file lines, Kafka values): dead-lettered with this code
  CEP_ERR_INPUT_JSON: spec('input-record', 400, 'A JSON Lines line that is not valid JSON, or not a JSON object.'),
  CEP_ERR_INPUT_KIND: spec('input-record', 400, '`kind` is missing or not login, order, trade or transfer.'),
  CEP_ERR_INPUT_FIELD_MISSING: spec('input-record', 400, 'A required field is absent.'),
  CEP_ERR_INPUT_FIELD_TYPE: spec('input-record', 400, "A field has the wrong type or an enum value outside the schema's symbols."),
  CEP_ERR_INPUT_VALUE: spec('input-record', 400, 'Schema-valid but impossible: a negative amount, an event time outside 2000..2100, an empty id.'),
  CEP_ERR_INPUT_FRAME: spec('input-record', 400, 'A Kafka value that is not Confluent-framed (magic byte 0 and a 4-byte schema id).'),
  CEP_ERR_INPUT_EMPTY: spec('input-record', 400, 'A Kafka value with no bytes, or none at all (a tombstone).'),
  CEP_ERR_INPUT_SCHEMA_UNKNOWN: spec('input-record', 400, "The value's schema id is not in the schema registry (or no schema is configured for the topic)."),
  CEP_ERR_INPUT_SCHEMA_KIND: spec('input-record', 400, 'The writer schema is not an event record, or not a kind this topic is configured for.'),
  CEP_ERR_INPUT_SCHEMA_INCOMPATIBLE: spec('input-record', 400, "The writer schema cannot be read with Cepheus's schema for the kind (Avro resolution)."),
  CEP_ERR_INPUT_AVRO_DECODE: spec('input-record', 400, 'The bytes do not decode with the writer schema (truncated, corrupt).'),
  CEP_ERR_LATE_EVENT: spec('input-record', 400, 'An event behind the watermark by more than the allowed lateness; not processed.'),
  CEP_ERR_FUTURE_EVENT: spec('input-record', 400, "An event time too far ahead: more than maxFutureSkewMs past its record's Kafka timestamp (service), or past its stream's neighbouring events (file replay). Quarantined, it moves no watermark; redrive it once fixed."),

  // ---- Avro schemas and code generation
  CEP_ERR_SCHEMA_UNSUPPORTED: spec('schema', 500, 'An event schema uses an Avro construct the readers do not handle.'),
  CEP_ERR_SCHEMA_MISSING: spec('schema', 500, 'No schemas/<kind>.avsc for an event kind.'),
  CEP_ERR_SCHEMA_ID: spec('schema', 400, 'A schema id outside int32 >= 0 was given for Confluent framing.'),
  CEP_ERR_SCHEMA_INCOMPATIBLE: spec('schema', 409, "A registry subject's compatibility level refuses the schema Cepheus registers (alerts, or events it produces)."),
  CEP_ERR_REGISTRY: spec('schema', 503, 'The schema registry answered with an unexpected status.'),
  CEP_ERR_CODEGEN_TYPE: spec('schema', 500, 'An Avro schema uses a named type reference the type generator does not support.'),

  // ---- Kafka service
  CEP_ERR_KAFKA_TOPIC_MISSING: spec('kafka', 503, 'An input topic does not exist on the cluster.'),
  CEP_ERR_KAFKA_UNREACHABLE: spec('kafka', 503, 'No broker answered at the configured addresses.'),
  CEP_ERR_FENCED: spec('kafka', 503, 'Another instance of the group took over the transactional id; this one stops.'),
  CEP_ERR_OFFSET_RANGE: spec('kafka', 500, 'A partition is past offset 2^53, which Cepheus does not track.'),
  CEP_ERR_TOPIC_READ: spec('kafka', 503, 'Reading a topic (the state topic, the dead-letter topic) took longer than allowed.'),
  CEP_ERR_CHECKPOINT_FORMAT: spec('kafka', 500, 'The checkpoint in the state topic was written in a format this version does not read.'),
  CEP_ERR_CHECKPOINT_INCOMPLETE: spec('kafka', 500, 'The checkpoint misses parts: the state topic was altered.'),
  CEP_ERR_TOPIC_LIMIT: spec('kafka', 500, "An output topic's max.message.bytes is below what the service needs to write to it (64 KiB); raise it."),
  CEP_ERR_COMMIT_FAILED: spec('kafka', 503, 'A commit (one Kafka transaction) failed; the service restores its last checkpoint and tries again, with growing waits.'),
  CEP_ERR_COMMIT_TOO_LARGE: spec('kafka', 503, "A commit failed on a record over a topic's max.message.bytes; the message names the record and the limit."),
  CEP_ERR_RESTORE_FAILED: spec('kafka', 503, 'Restoring the checkpoint after an assignment or a failure did not complete (broker unreachable, ...); retried with growing waits.'),
  CEP_ERR_KAFKA_AUTHENTICATION: spec('kafka', 401, 'The brokers refused the SASL login (user name, password or mechanism); the service stops at start.'),
  CEP_ERR_KAFKA_TLS: spec('kafka', 503, "The TLS handshake with a broker failed: its certificate is not trusted by kafka.ssl.ca (or the system CAs), names another host, or the listener does not speak TLS."),
  CEP_ERR_KAFKA_AUTHORIZATION: spec('kafka', 403, 'The brokers refused an operation the service needs (an ACL is missing); the message names the operation, the resource and the kafka-acls command that grants it.'),

  // ---- RabbitMQ streams (a source beside Kafka)
  CEP_ERR_RABBITMQ_UNREACHABLE: spec('rabbitmq', 503, 'No RabbitMQ node answered at the configured URL; at start the service stops, later it reconnects with growing waits.'),
  CEP_ERR_RABBITMQ_AUTHENTICATION: spec('rabbitmq', 401, 'RabbitMQ refused the login (user name or password) or the user may not use the virtual host.'),
  CEP_ERR_RABBITMQ_TLS: spec('rabbitmq', 503, "The TLS handshake with RabbitMQ failed: its certificate is not trusted by the source's tls.ca (or the system CAs), or the port does not speak TLS."),
  CEP_ERR_RABBITMQ_STREAM: spec('rabbitmq', 503, 'A configured stream does not exist, is not a stream (a classic or quorum queue would lose messages to a reader), or the user may not read it.'),

  // ---- alert store
  CEP_ERR_STORE_CURSOR: spec('store', 400, 'A paging cursor this store did not return.'),
  CEP_ERR_STORE_ALERT_NOT_FOUND: spec('store', 404, 'No alert with this id.'),
  CEP_ERR_STORE_SAME_STATUS: spec('store', 409, 'The alert already has the status asked for.'),
  CEP_ERR_STORE_SAME_ASSIGNEE: spec('store', 409, 'The alert is already assigned to that person (or already unassigned).'),
  CEP_ERR_STORE_DISPOSITION: spec('store', 400, 'A disposition (true-positive, false-positive, ...) was given with a status other than resolved.'),

  // ---- REST API
  CEP_ERR_API_UNAUTHENTICATED: spec('api', 401, 'No bearer token, or one that is not configured.'),
  CEP_ERR_API_FORBIDDEN: spec('api', 403, "The token's scope does not allow this route or MCP tool (admin needed)."),
  CEP_ERR_API_VALIDATION: spec('api', 400, 'Query, path or body fails the route schema (unknown query parameters included).'),
  CEP_ERR_API_BODY_INVALID: spec('api', 400, 'The request body is not valid JSON, or empty where JSON is expected.'),
  CEP_ERR_API_BODY_TOO_LARGE: spec('api', 413, 'The request body is over the 64 KiB limit.'),
  CEP_ERR_API_MEDIA_TYPE: spec('api', 415, 'The request body has a content type the route does not accept (send application/json).'),
  CEP_ERR_API_BAD_REQUEST: spec('api', 400, 'A malformed request the other codes do not describe.'),
  CEP_ERR_API_NOT_FOUND: spec('api', 404, 'No such route.'),
  CEP_ERR_API_RULE_NOT_FOUND: spec('api', 404, 'No rule with this id.'),
  CEP_ERR_API_CONTEXT_NOT_FOUND: spec('api', 404, 'No loaded rule uses a context with this id.'),
  CEP_ERR_API_ACTOR_MISMATCH: spec('api', 400, "A change's body names an `actor` other than the token's name: changes are attributed to the token (drop `actor`, or use a token with that name)."),
  CEP_ERR_API_UNREACHABLE: spec('api', 503, 'A command that talks to a running service found no API at the address (the config\'s api.host and api.port, or --url).'),
  CEP_ERR_API_PORT_IN_USE: spec('api', 503, 'The API cannot listen: its port is taken by another process; the message names the port and how to choose another.'),
  CEP_ERR_API_STREAM_NOT_FOUND: spec('api', 404, 'This instance holds no input partition with this topic and number.'),
  CEP_ERR_WATERMARK_RESET: spec('api', 409, "A watermark reset that would lower nothing: `to` is not below the partition's watermark nor the global one."),
  CEP_ERR_API_INTERNAL: spec('api', 500, 'An unexpected failure while serving the request (a bug: report it).'),

  // ---- explain and queryable state
  CEP_ERR_EXPLAIN_RULE: spec('explain', 404, 'Explain names a rule id that is not among the loaded rules.'),
  CEP_ERR_EXPLAIN_EXPECT: spec('explain', 400, '`--expect` names no event, or events the explained rule does not read at the key.'),
  CEP_ERR_STATE_UNAVAILABLE: spec('explain', 503, 'This runner cannot answer state or stream queries: a service instance that holds no partitions (standby, restoring), or a runner built without them; a watermark reset also needs the instance live (not recovering).'),

  // ---- MCP server (/mcp, cepheus mcp)
  CEP_ERR_MCP_RATE_LIMITED: spec('mcp', 429, "The token made more MCP requests than its rate allows (api.mcp.requestsPerMinute, burst); the message says when to retry."),
  CEP_ERR_MCP_SESSION_REQUIRED: spec('mcp', 400, 'An MCP request without an mcp-session-id header that is not an initialize request.'),
  CEP_ERR_MCP_SESSION_UNKNOWN: spec('mcp', 404, 'The mcp-session-id is unknown, closed or opened with another token: initialize a new session.'),
  CEP_ERR_MCP_RESOURCE_URI: spec('mcp', 400, 'A resource URI that is not cepheus://alerts[?rule=&key=&severity=&status=], cepheus://alerts/{id}, cepheus://rules/{id} or cepheus://rules/{id}/keys/{key}.'),
  CEP_ERR_MCP_SUBSCRIPTION: spec('mcp', 400, 'Only cepheus://alerts (optionally filtered by rule, key, severity) can be subscribed to.'),
  CEP_ERR_MCP_BACKTEST_FILE: spec('mcp', 400, 'A run_backtest or explain_key file outside the allowed directory (api.mcp.backtest.dir), missing, or not .avro / .jsonl / .ndjson.'),
  CEP_ERR_MCP_BACKTEST_BUSY: spec('mcp', 429, 'Another run_backtest or explain_key run is going on (one file job at a time per server); retry when it is done.'),
  CEP_ERR_MCP_BACKTEST_FAILED: spec('mcp', 500, 'The worker of a run_backtest or explain_key run failed, or did not stop within its wall-time bound and was ended.'),
  CEP_ERR_MCP_UPSTREAM: spec('mcp', 502, '`cepheus mcp` cannot reach the Cepheus API it bridges to (start it, or pass --url).'),

  // ---- fixture generator
  CEP_ERR_GEN_OPTIONS: spec('fixture-generator', 400, 'Fixture generator options are inconsistent (the message lists each problem).'),
  CEP_ERR_GEN_STATE: spec('fixture-generator', 500, 'Labels were read before every generated event was.'),
  CEP_ERR_GEN_INTERNAL: spec('fixture-generator', 500, 'The generator reached a state it should not (a bug: report it).'),

  // ---- bench (npm run bench)
  CEP_ERR_BENCH_KAFKA: spec('bench', 400, 'The bench was told to use a broker it cannot reach, or given a bad --kafka value.'),
  CEP_ERR_BENCH_NOT_LOOPBACK: spec('bench', 400, 'The through-Kafka bench targets only loopback addresses.'),
  CEP_ERR_BENCH_KAFKA_TIMEOUT: spec('bench', 500, 'A through-Kafka bench step did not complete in time.'),
  CEP_ERR_BENCH_PRODUCER: spec('bench', 500, 'The paced producer thread of the bench failed.'),
  CEP_ERR_BENCH_GC: spec('bench', 400, 'The state-size bench needs node --expose-gc.'),

  // ---- anything else
  CEP_ERR_INTERNAL: spec('internal', 500, 'An unexpected failure (a bug, or an error from a library that has no code of ours).'),
} as const satisfies Readonly<Record<string, ErrorSpec>>;

export type ErrorCode = keyof typeof ERRORS;
/** Codes a bad event record (file line, Kafka value) is reported or dead-lettered with. */
export type InputErrorCode = Exclude<Extract<ErrorCode, `CEP_ERR_INPUT_${string}`>, FileErrorCode> | 'CEP_ERR_LATE_EVENT' | 'CEP_ERR_FUTURE_EVENT';
/** Codes of event files that cannot be read at all. */
export type FileErrorCode = 'CEP_ERR_INPUT_OPEN' | 'CEP_ERR_INPUT_FORMAT' | 'CEP_ERR_INPUT_AVRO' | 'CEP_ERR_INPUT_AVRO_SCHEMA';

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERRORS, code);
}

export class CepError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly string[];
  constructor(code: ErrorCode, message: string, details: readonly string[] = [], options?: { readonly cause?: unknown }) {
    super(details.length > 0 ? `${code}: ${message}\n  - ${details.join('\n  - ')}` : `${code}: ${message}`, options);
    this.name = 'CepError';
    this.code = code;
    this.details = details;
  }

  /** HTTP status of the code (see ERRORS). */
  get status(): number {
    return ERRORS[this.code].status;
  }

  /** The message without its leading code. */
  get detail(): string {
    return this.message.slice(this.code.length + 2);
  }
}

/** The code of any thrown value: a CepError's own, else CEP_ERR_INTERNAL. */
export function codeOf(err: unknown): ErrorCode {
  return err instanceof CepError ? err.code : 'CEP_ERR_INTERNAL';
}
