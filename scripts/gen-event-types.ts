// Regenerates src/events/generated.ts from schemas/*.avsc.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateEventTypes } from '../src/events/codegen.ts';
import { loadEventSchemas } from '../src/events/schemas.ts';

const target = fileURLToPath(new URL('../src/events/generated.ts', import.meta.url));
writeFileSync(target, generateEventTypes(loadEventSchemas()));
console.log(`wrote ${target}`);
