// The writer interface shared by the Avro and JSON Lines writers, and the format choice by
// file extension. Writers stream: memory stays bounded whatever the number of events.
import type { AnyEvent } from '../events/types.ts';
import { fileError } from './input-error.ts';

export const EVENT_FILE_FORMATS = ['avro', 'jsonl'] as const;
export type EventFileFormat = (typeof EVENT_FILE_FORMATS)[number];

export interface WriteResult {
  readonly events: number;
  readonly bytes: number;
}

export interface EventWriter {
  /** Queues one event. Returns a promise only when the caller should wait (backpressure). */
  write(event: AnyEvent): Promise<void> | undefined;
  /** Flushes everything, closes the file and says how much was written. */
  close(): Promise<WriteResult>;
}

/** `.avro` → avro, `.jsonl` / `.ndjson` → jsonl; anything else is an error. */
export function formatOf(path: string): EventFileFormat {
  if (/\.avro$/i.test(path)) return 'avro';
  if (/\.(jsonl|ndjson)$/i.test(path)) return 'jsonl';
  throw fileError('CEP_ERR_INPUT_FORMAT', path, 'unknown event file format; use a .avro (Avro object container) or .jsonl / .ndjson (JSON Lines) file name');
}
