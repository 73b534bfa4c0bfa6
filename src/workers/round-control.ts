// What a round carries besides records: the control changes made since the last round (rule
// toggles, an idle stream's watermark, a flush, an operator's watermark resets). Every shard
// applies them at that round's boundary, which is how they reach every shard at one point.
import type { PendingReset } from './stream-reset.ts';

export interface Control {
  /** Send the watermark again even with no records (a stream went idle). */
  advance: boolean;
  /** Release everything up to the largest event time seen (idle input). */
  flush: boolean;
  enable: string[];
  disable: string[];
  resets: PendingReset[];
}

export const noControl = (): Control => ({ advance: false, flush: false, enable: [], disable: [], resets: [] });

/** A round is worth sending for its control alone. */
export const hasControl = (c: Control): boolean => c.advance || c.flush || c.enable.length > 0 || c.disable.length > 0 || c.resets.length > 0;
