// Checkpoint records: parts under the size limit, the manifest last, tombstones for parts a
// smaller checkpoint no longer uses; reading back takes the last value per key and refuses
// a checkpoint whose parts belong to another one.
import { describe, expect, it } from 'vitest';
import { PART_BYTES, assembleCheckpoint, checkpointRecords } from '../../../src/service/checkpoint.ts';

const manifest = (id: number) => ({
  format: 1 as const, group: 'g', id, createdAt: '2026-12-02T00:00:00.000Z', watermark: 5, rules: [{ id: 'r', version: 1 }],
  streams: [{ topic: 't', partition: 0, offset: '10', maxTs: 9, active: true }],
});

/** What a compacted topic keeps: the last value per key (tombstones delete). */
function compact(records: readonly { key: string | Buffer | null; value: Buffer | null; headers?: Readonly<Record<string, string>> }[]): Map<string, { value: Buffer; header: string }> {
  const out = new Map<string, { value: Buffer; header: string }>();
  for (const r of records) {
    const key = String(r.key);
    if (r.value === null) out.delete(key);
    else out.set(key, { value: r.value, header: r.headers?.['cepheus.checkpoint'] ?? '' });
  }
  return out;
}

describe('checkpoints', () => {
  it('round-trip through a compacted topic, and a smaller later one leaves nothing behind', () => {
    const big = new Uint8Array(PART_BYTES * 2 + 5).map((_, i) => i % 251);
    const first = checkpointRecords(manifest(1), [big, new Uint8Array([1, 2, 3])], new Set());
    expect(first.records.map((r) => [r.key, r.value?.length ?? null])).toEqual([
      ['g/snap/0/0', PART_BYTES], ['g/snap/0/1', PART_BYTES], ['g/snap/0/2', 5], ['g/snap/1/0', 3], ['g/manifest', expect.any(Number)],
    ]);
    const second = checkpointRecords(manifest(2), [new Uint8Array([7])], first.keys);
    expect(second.records.map((r) => [r.key, r.value === null ? 'tombstone' : r.value.length])).toEqual([
      ['g/snap/0/0', 1], ['g/snap/0/1', 'tombstone'], ['g/snap/0/2', 'tombstone'], ['g/snap/1/0', 'tombstone'], ['g/manifest', expect.any(Number)],
    ]);
    const log = [...first.records, ...second.records];
    const cp = assembleCheckpoint('g', compact(log));
    expect(cp).toEqual({ manifest: { ...manifest(2), parts: [1] }, snapshots: [new Uint8Array([7])] });
    expect(assembleCheckpoint('g', compact(first.records))?.snapshots).toEqual([big, new Uint8Array([1, 2, 3])]);
    expect(assembleCheckpoint('other', compact(log))).toBeUndefined();
  });

  it('refuses parts of another checkpoint', () => {
    const b = checkpointRecords(manifest(2), [new Uint8Array([2])], new Set());
    const mixed = [...b.records.slice(0, 1).map((r) => ({ ...r, headers: { 'cepheus.checkpoint': '1' } })), ...b.records.slice(1)];
    expect(() => assembleCheckpoint('g', compact(mixed))).toThrow(/CEP_ERR_CHECKPOINT_INCOMPLETE: checkpoint 2 of group g misses g\/snap\/0\/0/);
  });
});
