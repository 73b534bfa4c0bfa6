// What a kafkajs error means for us, read through its cause chain (kafkajs wraps: a
// KafkaJSNumberOfRetriesExceeded around a KafkaJSConnectionError, our CommitError around
// both): the broker could not be reached, or a record was over a size limit.

/** kafkajs log lines and error messages that say a broker could not be reached. */
export const CONNECTION_TROUBLE = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EPIPE|Connection error|Connection timeout|Closed connection|connection closed|socket hang up|Failed to connect|not connected|Broker not found|Request .* timed out|KafkaJSConnection/i;

const CONNECTION_NAMES = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError', 'KafkaJSBrokerNotFound']);
const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

interface ErrorLike {
  readonly name?: unknown;
  readonly type?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
}

/**
 * The error and its causes, outermost first (at most 10 deep); kafkajs's aggregate errors
 * (createTopics) contribute their first inner error.
 */
export function errorChain(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  for (let e = err; e !== null && e !== undefined && typeof e === 'object' && out.length < 10;) {
    out.push(e as ErrorLike);
    const inner = (e as { errors?: unknown }).errors;
    e = (e as ErrorLike).cause ?? (e as { originalError?: unknown }).originalError ?? (Array.isArray(inner) ? inner[0] : undefined);
  }
  if (out.length === 0 && err !== undefined && err !== null) out.push({ message: String(err) });
  return out;
}

/** True when the error, or a cause of it, says a broker could not be reached or did not answer in time. */
export function isConnectionError(err: unknown): boolean {
  return errorChain(err).some((e) => CONNECTION_NAMES.has(String(e.name)) || (typeof e.code === 'string' && CONNECTION_TROUBLE.test(e.code)) || CONNECTION_TROUBLE.test(String(e.message ?? '')));
}

/** True when the broker refused a record (or a batch) as over its max.message.bytes. */
export function isTooLarge(err: unknown): boolean {
  return errorChain(err).some((e) => TOO_LARGE.has(String(e.type)) || /larger than the max message size/i.test(String(e.message ?? '')));
}

/** The innermost message of an error chain, on one line and at most `max` characters. */
export function rootMessage(err: unknown, max = 300): string {
  const chain = errorChain(err);
  const m = String(chain[chain.length - 1]?.message ?? 'unknown error').replace(/\s+/g, ' ');
  return m.length > max ? `${m.slice(0, max - 1)}…` : m;
}

/** The broker refused something for lack of an ACL: which kind of resource it was about. */
export type AuthorizationFailure = 'TOPIC_AUTHORIZATION_FAILED' | 'GROUP_AUTHORIZATION_FAILED' | 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED' | 'CLUSTER_AUTHORIZATION_FAILED';
const AUTHORIZATION = new Set<string>(['TOPIC_AUTHORIZATION_FAILED', 'GROUP_AUTHORIZATION_FAILED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', 'CLUSTER_AUTHORIZATION_FAILED']);

export function authorizationFailure(err: unknown): AuthorizationFailure | undefined {
  for (const e of errorChain(err)) if (AUTHORIZATION.has(String(e.type))) return e.type as AuthorizationFailure;
  return undefined;
}

/**
 * kafkajs hides a refused FindCoordinator (no ACL on the group) behind "Failed to find group
 * coordinator": with a broker that answers, that means the principal may not use the group.
 */
export const isCoordinatorNotFound = (err: unknown): boolean => errorChain(err).some((e) => e.name === 'KafkaJSGroupCoordinatorNotFound');

/** A batched request's operation the broker skipped because another in the batch failed. */
export const isNotAttempted = (err: unknown): boolean => errorChain(err).some((e) => e.type === 'OPERATION_NOT_ATTEMPTED');

/** The broker refused the SASL login. */
export const isSaslFailure = (err: unknown): boolean => errorChain(err).some((e) => e.name === 'KafkaJSSASLAuthenticationError');

/** Node's TLS verification codes (and handshake failures) that mean "this peer is not who we trust". */
export const TLS_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'CERT_SIGNATURE_FAILURE', 'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
]);

/** The TLS problem in an error chain as "CODE: message", if there is one. */
export function tlsProblem(err: unknown): string | undefined {
  for (const e of errorChain(err)) if (typeof e.code === 'string' && TLS_CODES.has(e.code)) return `${e.code}: ${String(e.message ?? '').replace(/^Connection error: /, '')}`;
  return undefined;
}

/** A consumer crash kafkajs does not retry that means the broker is away, not a refusal (once the group was joined). */
export const transientCrash = (err: unknown): boolean => isCoordinatorNotFound(err) || isConnectionError(err);
