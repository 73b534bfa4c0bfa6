// A rule bundle: the sources of a set of rule modules, identified by a content hash. Bundles
// travel as data (the control topic stores the sources, never a path), so every instance, every
// recovery and every replay loads the same code: each materializes a bundle into its cache
// folder, one subfolder per hash, and loads it from there with the rule loader.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CepError } from '../core/errors.ts';
import { BUNDLED_RULES_DIR, resolveRuleSpec } from './load-rules.ts';

export interface Bundle {
  /** SHA-256 (hex) over the sorted (path, source) pairs. */
  readonly hash: string;
  /** Sources by path relative to the bundle's folder (`/` separated). */
  readonly files: Readonly<Record<string, string>>;
  readonly bytes: number;
}

const MODULE = /\.(ts|mts|js|mjs|json)$/;
const TEST = /\.(test|spec|test-d)\.[mc]?[jt]s$/;

/** Module files under `dir` (recursive; not tests, declarations, node_modules, hidden folders; not the bundled library `lib/`). */
function moduleFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        if (name.startsWith('.') || name === 'node_modules' || (d === resolve(BUNDLED_RULES_DIR) && name === 'lib')) continue;
        walk(p);
      } else if (MODULE.test(name) && !TEST.test(name) && !name.endsWith('.d.ts')) {
        out.push(p);
      }
    }
  };
  walk(dir);
  return out;
}

const RELATIVE_IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/**
 * Relative imports that leave the bundle (`../../src/x.ts` from a file at its top): the bundle
 * is loaded from elsewhere (a cache folder, another machine), so they would not resolve there.
 */
export function importsOutside(files: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  for (const [p, src] of Object.entries(files)) {
    for (const m of src.matchAll(RELATIVE_IMPORT)) {
      const spec = (m[1] ?? m[2]) as string;
      const target = join(dirname(p), spec).split(sep).join('/');
      if (target.startsWith('..') || files[target] === undefined) out.push(`${p}: import '${spec}' is not a file of the bundle (import 'cepheus', 'cepheus/rules', or files you deploy with it)`);
    }
  }
  return out;
}

/** A bundle of the given sources; refuses paths that leave the bundle's folder, and imports that do. */
export function bundleOf(files: Readonly<Record<string, string>>): Bundle {
  const paths = Object.keys(files).sort();
  if (paths.length === 0) throw new CepError('CEP_ERR_BUNDLE_EMPTY', 'the bundle holds no file; give rule modules (.ts, .js)');
  const h = createHash('sha256');
  let bytes = 0;
  for (const p of paths) {
    if (isAbsolute(p) || p.split(/[\\/]/).some((s) => s === '..' || s === '') || !MODULE.test(p)) {
      throw new CepError('CEP_ERR_BUNDLE_INVALID', `bundle path ${JSON.stringify(p)} is not a relative path to a module (.ts .mts .js .mjs .json) inside the bundle`);
    }
    const src = files[p] as string;
    bytes += Buffer.byteLength(src);
    h.update(p).update('\u0000').update(src).update('\u0000');
  }
  const outside = importsOutside(files);
  if (outside.length > 0) throw new CepError('CEP_ERR_BUNDLE_INVALID', `${outside.length} import(s) leave the bundle; the bundle is loaded from the control topic, not from where its files are now`, outside);
  return { hash: h.digest('hex'), files: Object.fromEntries(paths.map((p) => [p, files[p] as string])), bytes };
}

/**
 * The bundle of rule specs as `loadRules` takes them (bundled ids, files, folders; none: every
 * bundled rule): a folder gives its module files under their paths in it, a file its name.
 */
export function bundleFromSpecs(specs: readonly string[], cwd: string = process.cwd()): Bundle {
  const files: Record<string, string> = {};
  const add = (rel: string, path: string): void => {
    if (files[rel] !== undefined) throw new CepError('CEP_ERR_BUNDLE_INVALID', `two modules of the bundle would both be ${rel}; give them distinct names`);
    files[rel] = readFileSync(path, 'utf8');
  };
  for (const spec of specs.length === 0 ? [BUNDLED_RULES_DIR] : specs) {
    const asPath = resolve(cwd, spec);
    if (existsSync(asPath) && statSync(asPath).isDirectory()) {
      for (const f of moduleFiles(asPath)) add(relative(asPath, f).split(sep).join('/'), f);
    } else {
      for (const f of resolveRuleSpec(spec, cwd)) add(basename(f), f);
    }
  }
  return bundleOf(files);
}

/** Refuses a bundle over `max` bytes (CEP_ERR_BUNDLE_TOO_LARGE). */
export function checkBundleSize(b: Pick<Bundle, 'bytes'>, max: number): void {
  if (b.bytes > max) throw new CepError('CEP_ERR_BUNDLE_TOO_LARGE', `the bundle is ${b.bytes} bytes, over rules.maxBundleBytes (${max}); split it or raise the limit`);
}

/** Writes the bundle to `<cacheDir>/<hash>/` (once: the folder of a hash never changes) and returns that folder. */
export function materialize(b: Pick<Bundle, 'hash' | 'files'>, cacheDir: string): string {
  const dir = resolve(cacheDir, b.hash);
  if (existsSync(dir)) return dir;
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  rmSync(tmp, { recursive: true, force: true });
  for (const [p, src] of Object.entries(b.files)) {
    const f = join(tmp, p);
    mkdirSync(dirname(f), { recursive: true });
    writeFileSync(f, src);
  }
  try {
    renameSync(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(dir)) throw err;
  }
  return dir;
}
