// Is the broker reachable? Decided from evidence, never from a probe of our own:
//
//   ok     the consumer completed a fetch, a commit went through, a restore read the state
//          topic, the idle watch read the partitions' ends
//   error  kafkajs said it could not connect or a request timed out (any of our clients:
//          consumer, producer, admin, the alert store's consumer), a commit or a restore
//          failed on a connection error
//
// Unreachable: an error came after the last ok, and nothing went ok for `timeoutMs` (the
// consumer fetches several times a second while the broker answers, so a silence that long
// after an error is an outage, not a slow moment). The first ok after it ends it.

export interface BrokerEvidence {
  /** Wall ms of the last success (or of the start). */
  readonly lastOk: number;
  readonly lastError: { readonly at: number; readonly message: string } | undefined;
}

export const brokerEvidence = (now: number): BrokerEvidence => ({ lastOk: now, lastError: undefined });

export const brokerOk = (e: BrokerEvidence, now: number): BrokerEvidence => (now > e.lastOk ? { lastOk: now, lastError: e.lastError } : e);

export const brokerError = (e: BrokerEvidence, now: number, message: string): BrokerEvidence =>
  ({ lastOk: e.lastOk, lastError: { at: now, message: message.length > 200 ? `${message.slice(0, 199)}…` : message } });

/** The readiness reason when the broker counts as unreachable at `now`, else undefined. */
export function brokerUnreachable(e: BrokerEvidence, now: number, timeoutMs: number): string | undefined {
  const err = e.lastError;
  if (err === undefined || err.at < e.lastOk) return undefined;
  const silentMs = now - e.lastOk;
  if (silentMs < timeoutMs) return undefined;
  return `broker unreachable: nothing fetched or committed for ${Math.round(silentMs / 1000)} s; last error ${Math.round((now - err.at) / 1000)} s ago: ${err.message}`;
}
