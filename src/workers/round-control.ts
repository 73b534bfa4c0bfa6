// What a round carries besides records: the control changes made since the last round (rule
// changes, an idle stream's watermark, a flush, an operator's watermark resets). Every shard
// gets them at that round's boundary, which is how they reach every shard at one point (a rule
// change then applies at its event-time boundary, core/rule-change.ts).
import type { RuleChangeSpec } from './protocol.ts';
import type { PendingReset } from './stream-reset.ts';

/** A rule change asked for: its boundary is the watermark when its round is sent (settled then). */
export interface PendingRuleChange {
  readonly change: DistributiveOmit<RuleChangeSpec, 'at'>;
  readonly settle: (at: number | null, round: number) => void;
  readonly fail: (err: unknown) => void;
}

export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface Control {
  /** Send the watermark again even with no records (a stream went idle). */
  advance: boolean;
  /** Release everything up to the largest event time seen (idle input). */
  flush: boolean;
  changes: PendingRuleChange[];
  resets: PendingReset[];
}

export const noControl = (): Control => ({ advance: false, flush: false, changes: [], resets: [] });

/** A round is worth sending for its control alone. */
export const hasControl = (c: Control): boolean => c.advance || c.flush || c.changes.length > 0 || c.resets.length > 0;

/** Queues a rule change for the next round; resolves with its boundary and round once sent. */
export function askChange(queue: PendingRuleChange[], unsent: Set<PendingRuleChange>, change: PendingRuleChange['change']): Promise<{ at: number | null; round: number }> {
  return new Promise((settle, fail) => {
    const p: PendingRuleChange = { change, settle: (at, round) => settle({ at, round }), fail };
    queue.push(p);
    unsent.add(p);
  });
}

/** The changes a round sends, each with the boundary `watermark` (null before any): settled now. */
export function sendChanges(pending: readonly PendingRuleChange[], watermark: number, round: number, unsent: Set<PendingRuleChange>): RuleChangeSpec[] {
  const at = watermark === -Infinity ? null : watermark;
  for (const p of pending) {
    unsent.delete(p);
    p.settle(at, round);
  }
  return pending.map((p) => ({ ...p.change, at }) as RuleChangeSpec);
}

export function failChanges(unsent: Set<PendingRuleChange>, err: unknown): void {
  for (const p of unsent) p.fail(err);
  unsent.clear();
}
