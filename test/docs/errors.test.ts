// docs/errors.md is the error registry, rendered: regenerate it with `npm run gen:errors`.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorDocs } from '../../scripts/error-docs.ts';

describe('docs/errors.md', () => {
  it('lists every code of src/core/errors.ts with its status and meaning', () => {
    expect(readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')).toBe(errorDocs());
  });
});
