// Event file IO: Avro object containers (one interleaved union stream) and JSON Lines.
export { readEvents, readEventsStrict } from './read-events.ts';
export type { ReadItem } from './read-events.ts';
export { createEventWriter, writeEvents } from './write-events.ts';
export type { WriteEventsOptions } from './write-events.ts';
export { createAvroWriter } from './avro-writer.ts';
export type { AvroWriterOptions } from './avro-writer.ts';
export { createJsonlWriter, eventToJsonLine } from './jsonl-writer.ts';
export { formatOf, EVENT_FILE_FORMATS } from './event-writer.ts';
export type { EventFileFormat, EventWriter, WriteResult } from './event-writer.ts';
export type { InputError, InputErrorCode } from './input-error.ts';
export { EVENT_UNION_SCHEMA } from './event-schema.ts';
export { encodeConfluentValue, recordTypeOf } from './confluent-frame.ts';
export { KafkaValueDecoder } from './kafka-value.ts';
