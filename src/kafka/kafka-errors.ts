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

/** The error and its causes, outermost first (at most 10 deep). */
export function errorChain(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  for (let e = err; e !== null && e !== undefined && typeof e === 'object' && out.length < 10; e = (e as ErrorLike).cause) out.push(e as ErrorLike);
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
