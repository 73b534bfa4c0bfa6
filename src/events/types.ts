// The event model shared by the core, the decoders and the tools. Event interfaces are
// generated from the Avro schemas (generated.ts); this file adds the kind-level helpers.
import type { EventKinds } from './generated.ts';

export type { Login, Order, Trade, Transfer, EventKinds } from './generated.ts';
export { EVENT_KINDS } from './generated.ts';
export type { EventTimeMs, DurationMs } from './time.ts';

/** The tag of every event kind: 'login' | 'order' | 'trade' | 'transfer'. */
export type EventKind = keyof EventKinds;
/** The event type of one kind. */
export type EventOf<K extends EventKind> = EventKinds[K];
/** Any event. */
export type AnyEvent = EventKinds[EventKind];

/** Where an event came from when it was read from Kafka. Offsets are bigint-safe strings. */
export interface SourceRef {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}
