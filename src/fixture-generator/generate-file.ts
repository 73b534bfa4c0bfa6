// Generates a fixture file and its labels (`<name>.labels.json` next to it), streaming.
import { writeFileSync } from 'node:fs';
import { createEventWriter } from '../io/write-events.ts';
import type { EventFileFormat } from '../io/event-writer.ts';
import { formatOf } from '../io/event-writer.ts';
import { generate } from './generate.ts';
import type { Labels } from './labels.ts';
import type { GenOptions } from './options.ts';

export interface GeneratedFile {
  readonly file: string;
  readonly labelsFile: string;
  readonly format: EventFileFormat;
  readonly events: number;
  readonly bytes: number;
  readonly labels: Labels;
}

/** `x.avro` / `x.jsonl` / `x.ndjson` → `x.labels.json` (what `cepheus replay` looks for). */
export function labelsPathOf(file: string): string {
  return `${file.replace(/\.(avro|jsonl|ndjson)$/i, '')}.labels.json`;
}

/** Labels as written: stable key order, two-space indent, id lists on one line each. */
export function labelsToJson(labels: Labels): string {
  const placeholders: string[] = [];
  const text = JSON.stringify(labels, (key, value: unknown) => {
    if ((key === 'eventIds' || key === 'contextEventIds' || key === 'late') && Array.isArray(value)) {
      placeholders.push(JSON.stringify(value));
      return `\u0000${placeholders.length - 1}\u0000`;
    }
    return value;
  }, 2);
  return `${text.replace(/"\\u0000(\d+)\\u0000"/g, (_, i: string) => placeholders[Number(i)] ?? '[]')}\n`;
}

export interface GenerateFileOptions {
  /** Overrides the format implied by the extension. */
  readonly format?: EventFileFormat;
  /** Called every `progressEvery` events (default 100,000) with the count so far. */
  readonly onProgress?: (events: number) => void;
  readonly progressEvery?: number;
}

export async function generateFile(file: string, options: Partial<GenOptions> = {}, how: GenerateFileOptions = {}): Promise<GeneratedFile> {
  const format = how.format ?? formatOf(file);
  const every = Math.max(1, how.progressEvery ?? 100_000);
  let n = 0;
  const gen = generate(options);
  const writer = createEventWriter(file, {
    format,
    avro: { metadata: { 'cepheus.generator': 'cepheus gen', 'cepheus.options': JSON.stringify(gen.options) } },
  });
  for (const e of gen.events) {
    if (++n % every === 0) how.onProgress?.(n);
    const wait = writer.write(e);
    if (wait !== undefined) await wait;
  }
  const { events, bytes } = await writer.close();
  const labels = gen.labels();
  const labelsFile = labelsPathOf(file);
  writeFileSync(labelsFile, labelsToJson(labels));
  return { file, labelsFile, format, events, bytes, labels };
}
