// A commit that failed, said plainly: why (a record over a topic's limit, with which record
// and which limit; the broker unreachable; anything else), and what happens next. A failed
// commit is retried by restoring the last checkpoint and reading on (the same input gives the
// same outputs, and a commit whose outcome is unknown is settled by the committed offsets), so
// what grows is the wait before each retry, never a tight loop:
//
//   failures in a row   1    2    3    4    5    6    7 ...
//   wait before retry   0 s  1 s  2 s  4 s  8 s  16 s 30 s (cap)
//
// Being fenced is not a failure to retry: the instance stops (commit.ts).
import type { ErrorCode } from '../core/errors.ts';
import { DL } from '../kafka/dead-letters.ts';
import { isConnectionError, isTooLarge, rootMessage } from '../kafka/kafka-errors.ts';
import { backoff } from '../kafka/retry.ts';
import { BATCH_OVERHEAD, CommitError, recordBytes } from '../kafka/sink.ts';
import type { OutputRecord } from '../kafka/sink.ts';
import { CHECKPOINT_HEADER } from './checkpoint.ts';

export type CommitCause = 'too-large' | 'unreachable' | 'other';

export interface CommitFailure {
  readonly cause: CommitCause;
  readonly code: Extract<ErrorCode, 'CEP_ERR_COMMIT_TOO_LARGE' | 'CEP_ERR_COMMIT_FAILED'>;
  /** One line: what failed, and for a record too large, which record and which limit. */
  readonly reason: string;
  /** The record a too-large failure is about: the largest of the send the broker refused. */
  readonly record?: { readonly topic: string; readonly what: string; readonly bytes: number; readonly limit: number };
}

/** What a record is, from its headers: a dead letter (where from), an alert (rule, key), a checkpoint part. */
export function describeRecord(r: OutputRecord): string {
  const h = r.headers ?? {};
  const key = r.key === null ? 'null' : typeof r.key === 'string' ? r.key : r.key.toString('utf8', 0, Math.min(r.key.length, 64));
  if (h[DL.TOPIC] !== undefined) return `${h[DL.CODE] === 'CEP_ERR_LATE_EVENT' ? 'late event' : 'dead letter'} of ${h[DL.TOPIC]}/${h[DL.PARTITION] ?? '?'} offset ${h[DL.OFFSET] ?? '?'} (${h[DL.CODE] ?? 'no code'})`;
  if (h['cepheus.rule'] !== undefined) return `alert of rule ${h['cepheus.rule']} for key ${key}`;
  if (h[CHECKPOINT_HEADER] !== undefined) return `checkpoint ${h[CHECKPOINT_HEADER]} record ${key}`;
  return `record with key ${key}`;
}

/** Why a commit failed. `limitOf`: the topics' max.message.bytes as last read. */
export function classifyCommitError(err: unknown, limitOf: (topic: string) => number): CommitFailure {
  const step = err instanceof CommitError ? err.step : undefined;
  if (isTooLarge(err)) {
    const sent = err instanceof CommitError ? err.sent : [];
    let biggest: { topic: string; r: OutputRecord; bytes: number } | undefined;
    for (const t of sent) {
      for (const r of t.records) {
        const bytes = recordBytes(r) + BATCH_OVERHEAD;
        if (biggest === undefined || bytes > biggest.bytes) biggest = { topic: t.topic, r, bytes };
      }
    }
    if (biggest === undefined) return { cause: 'too-large', code: 'CEP_ERR_COMMIT_TOO_LARGE', reason: `a record over a topic's max.message.bytes: ${rootMessage(err)}` };
    const limit = limitOf(biggest.topic);
    const what = describeRecord(biggest.r);
    const over = biggest.bytes > limit
      ? `is over ${biggest.topic}'s max.message.bytes ${limit}`
      : `was refused though ${biggest.topic}'s max.message.bytes read ${limit} (lowered since? the limits are read again before the retry)`;
    return {
      cause: 'too-large', code: 'CEP_ERR_COMMIT_TOO_LARGE', reason: `${what}: ${biggest.bytes} bytes ${over}`,
      record: { topic: biggest.topic, what, bytes: biggest.bytes, limit },
    };
  }
  const where = step === undefined ? '' : ` (${step === 'end' ? 'ending the transaction: the outcome is settled by the committed offsets' : `at ${step}`})`;
  if (isConnectionError(err)) return { cause: 'unreachable', code: 'CEP_ERR_COMMIT_FAILED', reason: `broker unreachable${where}: ${rootMessage(err)}` };
  return { cause: 'other', code: 'CEP_ERR_COMMIT_FAILED', reason: `${rootMessage(err)}${where}` };
}

/** Failures in a row of one kind (commits, restores): how many, since when, the last, when the next try is. */
export interface FailureStreak {
  readonly count: number;
  /** Wall ms of the first failure of the streak. */
  readonly since: number;
  readonly last: string;
  /** Wall ms of the next attempt. */
  readonly retryAt: number;
}

export const NO_FAILURES: FailureStreak = { count: 0, since: 0, last: '', retryAt: 0 };

export function failedAgain(s: FailureStreak, now: number, reason: string, waitMs: number): FailureStreak {
  return { count: s.count + 1, since: s.count === 0 ? now : s.since, last: reason, retryAt: now + waitMs };
}

/** Upper bound of any wait between retries. */
export const RETRY_MAX_MS = 30_000;

/** The wait before restoring after the `failures`-th pipeline failure in a row: none after the first. */
export const restartDelayMs = (failures: number): number => (failures <= 1 ? 0 : backoff(failures - 1, 1000, RETRY_MAX_MS));

/** The wait before another restore attempt after the `failures`-th failed one in a row. */
export const restoreRetryMs = (failures: number): number => backoff(Math.max(1, failures), 1000, RETRY_MAX_MS);
