// Loads the Avro event schemas (schemas/*.avsc), the source of truth for event types.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EventSchema } from './codegen.ts';

export const SCHEMAS_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));

export function loadEventSchemas(dir: string = SCHEMAS_DIR): EventSchema[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.avsc'))
    .sort()
    .map((f) => ({ kind: f.slice(0, -'.avsc'.length), schema: JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as EventSchema['schema'] }));
}
