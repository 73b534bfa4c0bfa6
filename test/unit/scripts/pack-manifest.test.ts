// The package.json the tarball carries: exports with types and default conditions into dist/,
// the launcher as bin, the Node that strips types as engine, no repository scripts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { publishedManifest } from '../../../scripts/pack/build.ts';

describe('the published package.json', () => {
  it('points every entry at compiled JavaScript and declarations in dist/', () => {
    const dev = JSON.parse(readFileSync('package.json', 'utf8')) as Parameters<typeof publishedManifest>[0];
    expect(publishedManifest(dev)).toEqual({
      name: 'cepheus', version: dev.version, description: dev.description, license: 'Apache-2.0', private: true, type: 'module',
      engines: { node: '>=22.18' },
      dependencies: dev.dependencies,
      devDependencies: dev.devDependencies,
      bin: { cepheus: 'dist/src/cli/launch.js' },
      exports: {
        '.': { types: './dist/src/index.d.ts', default: './dist/src/index.js' },
        './testing': { types: './dist/src/testing.d.ts', default: './dist/src/testing.js' },
        './rules': { types: './dist/rules/lib/index.d.ts', default: './dist/rules/lib/index.js' },
        './package.json': './package.json',
      },
      files: ['dist/', 'README.md'],
    });
    expect(dev.dependencies?.['typescript']).toBe('~5.9.3');
  });
});
