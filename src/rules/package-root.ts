// Where the running Cepheus package lives: the folder of the nearest package.json named
// "cepheus" above this file. That is the repository root in a clone and node_modules/cepheus
// when installed (where the code runs from dist/, one level below the root).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'cepheus') return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json named cepheus above ${from}`);
  }
}

export const PACKAGE_ROOT: string = findRoot(dirname(fileURLToPath(import.meta.url)));

/** The package's version (from its package.json). */
export const PACKAGE_VERSION: string = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** True for `cepheus` and `cepheus/<subpath>`: the specifiers rule modules import the API by. */
export const isCepheusSpecifier = (s: string): boolean => s === 'cepheus' || s.startsWith('cepheus/');
