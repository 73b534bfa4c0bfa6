// Record size limits (max.message.bytes) of the topics the service writes, and what it writes
// to fit them, so that no record can make a commit fail by its size:
//
//   topic          created with                                   writes, when a record is over the limit
//   alerts         8 MiB                                          the alert with fewer matched events (alert-bound.ts)
//   dead letters   largest input topic's limit + 64 KiB           the record by reference (dead-letter.ts)
//   (and late)     (at least 1 MiB + 64 KiB, at most 64 MiB)
//   state          2 MiB                                          checkpoint parts of at most limit - 4 KiB (<= 512 KiB)
//
// Existing topics keep their settings: the service reads every output topic's limit at start,
// refuses one below 64 KiB (CEP_ERR_TOPIC_LIMIT), and reads them again after a commit failed on
// a record's size (an operator may have lowered one).
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import { CepError } from '../core/errors.ts';
import { PART_BYTES } from './checkpoint.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

/** The broker's default max.message.bytes (message.max.bytes): 1 MiB + 12 bytes. */
export const BROKER_DEFAULT_BYTES = 1_048_588;
/** Below this an output topic cannot hold a bounded alert, a dead letter by reference or a checkpoint part. */
export const MIN_TOPIC_BYTES = 64 * KiB;
/** Room for a dead letter's headers over the input record it copies. */
export const HEADER_ROOM = 64 * KiB;
export const ALERTS_TOPIC_BYTES = 8 * MiB;
export const STATE_TOPIC_BYTES = 2 * MiB;
export const DEAD_LETTER_TOPIC_MAX_BYTES = 64 * MiB;
/** Room for a checkpoint part's key and headers. */
const PART_ROOM = 4 * KiB;

/** The limit of a dead-letter (or late) topic the service creates: the largest input record fits whole. */
export function deadLetterTopicBytes(inputLimits: Iterable<number>): number {
  return Math.min(DEAD_LETTER_TOPIC_MAX_BYTES, Math.max(BROKER_DEFAULT_BYTES, ...inputLimits) + HEADER_ROOM);
}

export type OutputTopics = Pick<Config['output'], 'alerts' | 'deadLetter' | 'late' | 'state'>;

/** The max.message.bytes of each output topic when the service creates it (a topic in two roles gets the larger). */
export function createdTopicBytes(out: OutputTopics, inputLimits: Iterable<number>): Map<string, number> {
  const dead = deadLetterTopicBytes(inputLimits);
  const sizes = new Map<string, number>();
  const put = (topic: string, bytes: number): void => {
    sizes.set(topic, Math.max(bytes, sizes.get(topic) ?? 0));
  };
  put(out.state, STATE_TOPIC_BYTES);
  put(out.alerts, ALERTS_TOPIC_BYTES);
  put(out.deadLetter, dead);
  put(out.late ?? out.deadLetter, dead);
  return sizes;
}

/** Throws CEP_ERR_TOPIC_LIMIT naming every output topic whose limit is below MIN_TOPIC_BYTES. */
export function checkTopicLimits(limits: ReadonlyMap<string, number>): void {
  const small = [...limits].filter(([, bytes]) => bytes < MIN_TOPIC_BYTES);
  if (small.length === 0) return;
  throw new CepError('CEP_ERR_TOPIC_LIMIT', `output topic(s) accept records of at most ${small.map(([t, b]) => `${b} bytes (${t})`).join(', ')}; the service needs ${MIN_TOPIC_BYTES}`,
    small.map(([t]) => `raise it: kafka-configs.sh --alter --entity-type topics --entity-name ${t} --add-config max.message.bytes=${BROKER_DEFAULT_BYTES}`));
}

/** Bytes per checkpoint part for a state topic whose limit is `limit`. */
export const checkpointPartBytes = (limit: number): number => Math.max(1, Math.min(PART_BYTES, limit - PART_ROOM));

/** The output topics' limits as last read; `refresh` reads them again. */
export class TopicLimits {
  private limits: ReadonlyMap<string, number>;
  private readonly read: () => Promise<ReadonlyMap<string, number>>;

  constructor(initial: ReadonlyMap<string, number>, read: () => Promise<ReadonlyMap<string, number>>) {
    this.limits = initial;
    this.read = read;
  }

  /** A topic's max.message.bytes (the broker's default for one never read). */
  readonly of = (topic: string): number => this.limits.get(topic) ?? BROKER_DEFAULT_BYTES;

  get all(): ReadonlyMap<string, number> {
    return this.limits;
  }

  async refresh(): Promise<ReadonlyMap<string, number>> {
    this.limits = await this.read();
    return this.limits;
  }
}

/** Reads the output topics' limits again (a commit failed on a record's size: one may have been lowered); on failure the last known stay. */
export async function rereadLimits(limits: Pick<TopicLimits, 'refresh'>, log: Pick<Logger, 'info' | 'warn'>): Promise<void> {
  try {
    const read = await limits.refresh();
    log.info({ limits: Object.fromEntries(read) }, 'read the output topics\' max.message.bytes again');
  } catch (err) {
    log.warn({ err }, 'could not read the output topics\' max.message.bytes again; using the last known');
  }
}
