// Checkpoints: the engine state of every shard plus the stream positions it corresponds to,
// written to the compacted state topic in the same transaction as the consumed offsets.
//
//   key <group>/snap/<shard>/<part>   value: a slice (<= 512 KiB, less when the topic's limit
//                                      is lower: topic-limits.ts) of deflate(v8(EngineSnapshot))
//   key <group>/manifest              value: JSON CheckpointManifest, written last
//
// Every record carries the header cepheus.checkpoint = <id>; a reader keeps the last value
// per key and accepts the manifest only when all its parts carry its id. Keys a smaller,
// later checkpoint no longer uses get tombstones, so compaction keeps exactly one checkpoint.
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { readCompacted } from '../kafka/compacted-reader.ts';
import type { OutputRecord } from '../kafka/sink.ts';
import { CepError } from '../core/errors.ts';

export const CHECKPOINT_FORMAT = 1;
export const PART_BYTES = 512 * 1024;
export const CHECKPOINT_HEADER = 'cepheus.checkpoint';

export interface CheckpointStream {
  readonly topic: string;
  readonly partition: number;
  /** Next offset to read: the state holds everything before it (null: nothing read yet). */
  readonly offset: string | null;
  /** Largest event time seen on the stream (null: none yet). */
  readonly maxTs: number | null;
  readonly active: boolean;
  /** Held at an operator's watermark reset until its next record (not idle meanwhile); absent: false. */
  readonly held?: boolean;
}

export interface CheckpointManifest {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly group: string;
  readonly id: number;
  readonly createdAt: string;
  /** Parts per shard of the run that wrote it (any shard count restores it). */
  readonly parts: readonly number[];
  readonly streams: readonly CheckpointStream[];
  /** The watermark every shard was at (null: none yet). */
  readonly watermark: number | null;
  readonly rules: readonly { readonly id: string; readonly version: number }[];
}

export interface Checkpoint {
  readonly manifest: CheckpointManifest;
  /** One compressed engine snapshot per shard of the run that wrote it. */
  readonly snapshots: readonly Uint8Array[];
}

const partKey = (group: string, shard: number, part: number): string => `${group}/snap/${shard}/${part}`;
export const manifestKey = (group: string): string => `${group}/manifest`;

/** The part keys a checkpoint with `parts` (per shard) uses: the next one tombstones those it does not reuse. */
export function partKeys(group: string, parts: readonly number[]): Set<string> {
  const keys = new Set<string>();
  parts.forEach((n, shard) => {
    for (let p = 0; p < n; p++) keys.add(partKey(group, shard, p));
  });
  return keys;
}

/** The records of one checkpoint, and the part keys it uses (for the next one's tombstones). */
export function checkpointRecords(
  manifest: Omit<CheckpointManifest, 'parts'>, snapshots: readonly Uint8Array[], previousKeys: ReadonlySet<string>, partBytes = PART_BYTES,
): { records: OutputRecord[]; keys: Set<string> } {
  const headers = { [CHECKPOINT_HEADER]: String(manifest.id) };
  const records: OutputRecord[] = [];
  const keys = new Set<string>();
  const parts = snapshots.map((bytes, shard) => {
    const n = Math.max(1, Math.ceil(bytes.length / partBytes));
    for (let p = 0; p < n; p++) {
      const key = partKey(manifest.group, shard, p);
      keys.add(key);
      records.push({ key, value: Buffer.from(bytes.buffer, bytes.byteOffset + p * partBytes, Math.min(partBytes, bytes.length - p * partBytes)), headers });
    }
    return n;
  });
  for (const k of previousKeys) if (!keys.has(k)) records.push({ key: k, value: null, headers });
  records.push({ key: manifestKey(manifest.group), value: Buffer.from(JSON.stringify({ ...manifest, parts })), headers });
  return { records, keys };
}

/** Rebuilds the checkpoint from the last value of each key; undefined when there is none or it is incomplete. */
export function assembleCheckpoint(group: string, latest: ReadonlyMap<string, { readonly value: Buffer; readonly header: string }>): Checkpoint | undefined {
  const m = latest.get(manifestKey(group));
  if (m === undefined) return undefined;
  const manifest = JSON.parse(m.value.toString('utf8')) as CheckpointManifest;
  if (manifest.format !== CHECKPOINT_FORMAT) {
    throw new CepError('CEP_ERR_CHECKPOINT_FORMAT', `the checkpoint of group ${group} has format ${String(manifest.format)}; this Cepheus reads ${CHECKPOINT_FORMAT}. Use a new group id, or the version that wrote it`);
  }
  const snapshots: Uint8Array[] = [];
  for (let shard = 0; shard < manifest.parts.length; shard++) {
    const pieces: Buffer[] = [];
    for (let p = 0; p < (manifest.parts[shard] as number); p++) {
      const r = latest.get(partKey(group, shard, p));
      if (r === undefined || r.header !== String(manifest.id)) {
        throw new CepError('CEP_ERR_CHECKPOINT_INCOMPLETE', `checkpoint ${manifest.id} of group ${group} misses ${partKey(group, shard, p)}; the state topic was altered`);
      }
      pieces.push(r.value);
    }
    snapshots.push(new Uint8Array(Buffer.concat(pieces)));
  }
  return { manifest, snapshots };
}

/** Reads the latest committed checkpoint of a group from the state topic. */
export async function readCheckpoint(kafka: Kafka, topic: string, group: string, log: Logger): Promise<Checkpoint | undefined> {
  const table = await readCompacted(kafka, topic, { prefix: `${group}/`, header: CHECKPOINT_HEADER, group });
  const cp = assembleCheckpoint(group, table.latest);
  log.info({ topic, records: table.records, ms: table.ms, checkpoint: cp?.manifest.id ?? null }, cp === undefined ? 'no checkpoint in the state topic' : 'read the latest checkpoint');
  return cp;
}
