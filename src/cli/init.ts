// `cepheus init <dir>`: scaffolds a rules project: package.json (an ES module project that
// depends on this Cepheus and brings Node 24 as a dev dependency, like the Cepheus repository
// does), tsconfig.json (the options rules are type-checked with, plus Node's types for tests),
// an example rule with its node:test test, and a small labelled fixture (the files in
// scaffold/). It runs on the Node 20 a fresh machine has: only node:fs/node:path and commander.
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { CepError } from '../core/errors.ts';
import { PACKAGE_ROOT, PACKAGE_VERSION } from '../rules/package-root.ts';
import { RULE_COMPILER_OPTIONS } from '../rules/type-check.ts';
import { printError } from './common.ts';

const SCAFFOLD = fileURLToPath(new URL('../../scaffold/', import.meta.url));

interface Manifest {
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
}
const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

/** A dependency spec as seen from `target`: local paths become `file:` relative to it. */
function specFrom(spec: string, base: string, target: string): string {
  const path = spec.startsWith('file:') ? spec.slice(5) : spec;
  const scheme = /^[a-z][a-z0-9+.-]*:/i.test(spec);
  const local = spec.startsWith('file:') || (!scheme && (spec.startsWith('.') || isAbsolute(spec) || spec.endsWith('.tgz') || existsSync(resolve(base, spec))));
  if (!local) return spec;
  const rel = relative(target, resolve(base, path)).split(sep).join('/');
  return `file:${rel.startsWith('.') ? rel : `./${rel}`}`;
}

/**
 * Where the new project gets Cepheus from: `--cepheus` when given; else what the project that
 * installed this copy asked for (its package.json, e.g. `file:cepheus-0.1.0.tgz`); else this
 * version from the registry. A repository clone is not installable as is (its exports point at
 * TypeScript sources): pack it first.
 */
export function cepheusSpec(target: string, given: string | undefined, cwd: string = process.cwd(), root: string = PACKAGE_ROOT): string {
  if (given !== undefined) return specFrom(given, cwd, target);
  const parent = dirname(root);
  if (basename(parent) !== 'node_modules') {
    throw new CepError('CEP_ERR_CLI_ARG', `this cepheus runs from a clone (${root}), which a project cannot install as is; pack it (npm pack) and pass the tarball: cepheus init ${relative(cwd, target) || '.'} --cepheus ${join(relative(cwd, root) || '.', `cepheus-${PACKAGE_VERSION}.tgz`)}`);
  }
  const project = dirname(parent);
  if (existsSync(join(project, 'package.json'))) {
    const m = readManifest(project);
    const asked = m.dependencies?.['cepheus'] ?? m.devDependencies?.['cepheus'];
    if (asked !== undefined) return specFrom(asked, project, target);
  }
  return `^${PACKAGE_VERSION}`;
}

/** Every file the scaffold writes, path → contents. */
export function scaffoldFiles(name: string, cepheus: string): Map<string, string> {
  const own = readManifest(PACKAGE_ROOT);
  const version = (deps: Readonly<Record<string, string>> | undefined, dep: string): string => {
    const v = deps?.[dep];
    if (v === undefined) throw new Error(`package.json has no version of ${dep}`);
    return v;
  };
  const files = new Map<string, string>();
  files.set('package.json', `${JSON.stringify({
    name, version: '0.1.0', private: true, type: 'module',
    description: 'Surveillance rules for Cepheus',
    scripts: {
      test: "node --test 'rules/**/*.test.ts' && cepheus test rules --fixture fixtures/sample.jsonl",
      check: 'cepheus check rules',
      replay: 'cepheus replay fixtures/sample.jsonl --rules rules',
      backtest: 'cepheus backtest rules fixtures/sample.jsonl',
    },
    dependencies: { cepheus },
    devDependencies: { '@types/node': version(own.devDependencies, '@types/node'), node: version(own.devDependencies, 'node'), typescript: version(own.dependencies, 'typescript') },
    // npm 11 asks which packages may run install scripts: node@24 installs its binary in one.
    allowScripts: { node: true, protobufjs: false },
  }, null, 2)}\n`);
  files.set('tsconfig.json', `${JSON.stringify({
    // The options `cepheus check` type-checks rules with, and Node's types for the tests.
    compilerOptions: { ...RULE_COMPILER_OPTIONS, types: ['node'] },
    include: ['rules'],
  }, null, 2)}\n`);
  const walk = (dir: string): string[] => readdirSync(join(SCAFFOLD, dir)).sort().flatMap((f) => {
    const rel = dir === '' ? f : `${dir}/${f}`;
    return statSync(join(SCAFFOLD, rel)).isDirectory() ? walk(rel) : [rel];
  });
  // npm leaves .gitignore files out of packages, so the scaffold holds it as `gitignore`.
  for (const f of walk('')) files.set(f === 'gitignore' ? '.gitignore' : f, readFileSync(join(SCAFFOLD, f), 'utf8'));
  return files;
}

/** Writes the scaffold into `dir` (created if needed); refuses to overwrite anything. */
export function initProject(dir: string, given?: string, cwd: string = process.cwd()): { readonly dir: string; readonly cepheus: string; readonly files: readonly string[] } {
  const target = resolve(cwd, dir);
  const name = basename(target).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '') || 'rules';
  const cepheus = cepheusSpec(target, given, cwd);
  const files = scaffoldFiles(name, cepheus);
  const taken = [...files.keys()].filter((f) => existsSync(join(target, f)));
  if (taken.length > 0) throw new CepError('CEP_ERR_INIT_TARGET', `${target} already has ${taken.join(', ')}; pick a new or empty folder`);
  for (const [f, text] of files) {
    mkdirSync(dirname(join(target, f)), { recursive: true });
    writeFileSync(join(target, f), text);
  }
  return { dir: target, cepheus, files: [...files.keys()] };
}

export function initCommand(): Command {
  return new Command('init')
    .description('scaffold a rules project: package.json, tsconfig.json, an example rule with its test, a small labelled fixture')
    .argument('<dir>', 'folder to create (or an empty one)')
    .option('--cepheus <spec>', 'where the project installs Cepheus from: a tarball, a folder or a version (default: where this copy came from)')
    .action((dir: string, opts: { cepheus?: string }) => {
      try {
        const r = initProject(dir, opts.cepheus);
        const shown = relative(process.cwd(), r.dir) || '.';
        console.log(`created ${shown} (cepheus from ${r.cepheus}):`);
        for (const f of r.files) console.log(`  ${f}`);
        console.log(`next: cd ${shown} && npm install && npm test`);
      } catch (err) {
        printError(err);
      }
    });
}
