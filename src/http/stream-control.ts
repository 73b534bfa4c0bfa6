// What the stream routes need of whatever reads input partitions (the service: its shards'
// clock): each partition's event time and the global watermark, and an operator's watermark
// reset. Times are epoch ms, null where there is none yet.

export interface StreamView {
  readonly topic: string;
  readonly partition: number;
  /** Largest event time read on the partition. */
  readonly maxEventTime: number | null;
  /** Its own watermark: maxEventTime - outOfOrdernessMs. An event before it is late. */
  readonly watermark: number | null;
  /** False while idle: it does not hold the global watermark back. */
  readonly active: boolean;
  /** Held at a watermark reset until it reads its next record (never idle meanwhile). */
  readonly held: boolean;
  /** Next offset to read, and the group's committed offset. */
  readonly position: number;
  readonly committed: number | null;
}

export interface StreamsView {
  /** The global watermark every shard is at: the minimum over active partitions, or what an idle flush released to. */
  readonly watermark: number | null;
  readonly outOfOrdernessMs: number;
  readonly streams: readonly StreamView[];
}

/** A partition's time and the global watermark, before or after a reset. */
export interface StreamTimes {
  readonly maxEventTime: number | null;
  readonly watermark: number | null;
  readonly active: boolean;
  readonly globalWatermark: number | null;
}

export interface WatermarkReset {
  readonly topic: string;
  readonly partition: number;
  readonly to: number;
  readonly before: StreamTimes;
  readonly after: StreamTimes;
}

export interface StreamControl {
  /** Throws CEP_ERR_STATE_UNAVAILABLE when this instance holds no partitions. */
  streams(): StreamsView;
  /**
   * Lowers the partition's watermark to `to` (and the global one when ahead of it), at the next
   * round boundary on every shard; resolves once applied. Throws CEP_ERR_API_STREAM_NOT_FOUND,
   * CEP_ERR_STATE_UNAVAILABLE (not live) or CEP_ERR_WATERMARK_RESET (nothing to lower).
   */
  resetWatermark(topic: string, partition: number, to: number): Promise<WatermarkReset>;
}
