// What `npm pack` (and `npm publish`) ship. Node refuses to strip types from files under
// node_modules, so the package cannot ship the .ts sources the repository runs: `prepack`
// compiles src/ and rules/ to JavaScript with declarations in dist/ (tsc, with .ts import
// paths rewritten to .js), copies what the code reads at run time beside it (dist/ mirrors the
// repository's layout, so every `new URL('../../x', import.meta.url)` still lands), and swaps
// in the published package.json, whose exports point at dist/ with `types` and `default`
// conditions and whose bin is the launcher (src/cli/launch.ts). `postpack` puts the
// repository's package.json back and removes dist/. Users never build: their own rules stay
// .ts in their project, which Node strips.
//
//   node scripts/pack/build.ts prepack | postpack
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = join(ROOT, 'dist');
const BACKUP = join(ROOT, '.run', 'pack', 'package.json');

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  description?: string;
  license?: string;
  type?: string;
  engines?: Record<string, string>;
  bin?: Record<string, string>;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  allowScripts?: Record<string, boolean>;
  exports?: Record<string, unknown>;
  files?: string[];
}

const entry = (path: string): { types: string; default: string } => ({ types: `./dist/${path}.d.ts`, default: `./dist/${path}.js` });

/** The package.json the tarball carries, from the repository's. */
export function publishedManifest(dev: Manifest): Manifest {
  const { scripts: _scripts, allowScripts: _allow, exports: _exports, bin: _bin, files: _files, ...rest } = dev;
  return {
    ...rest,
    // Rules are .ts files Node strips: 22.18 is the first 22.x that does so by default.
    engines: { node: '>=22.18' },
    bin: { cepheus: 'dist/src/cli/launch.js' },
    exports: {
      '.': entry('src/index'),
      './testing': entry('src/testing'),
      './rules': entry('rules/lib/index'),
      './package.json': './package.json',
    },
    files: ['dist/', 'README.md'],
  };
}

/** Every file under `dir` (relative paths, sorted). */
function walk(dir: string, base: string = dir): string[] {
  return readdirSync(dir).sort().flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p, base) : [relative(base, p)];
  });
}

function compile(): void {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); } });
  if (config === undefined) throw new Error('cannot read tsconfig.json');
  const roots = [
    ...walk(join(ROOT, 'src')).filter((f) => f.endsWith('.ts')).map((f) => join(ROOT, 'src', f)),
    ...walk(join(ROOT, 'rules')).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => join(ROOT, 'rules', f)),
  ];
  const options: ts.CompilerOptions = {
    ...config.options, noEmit: false, allowImportingTsExtensions: false, rewriteRelativeImportExtensions: true,
    declaration: true, outDir: DIST, rootDir: ROOT, sourceMap: false, removeComments: false,
  };
  const program = ts.createProgram({ rootNames: roots, options });
  const result = program.emit(undefined, (file, text, bom) => {
    let out = text;
    // Worker files are found by URL, not imported, so tsc leaves their .ts names alone.
    if (file.endsWith('.js')) out = out.replace(/new URL\((['"])(\.{1,2}\/[^'"]+)\.ts\1, import\.meta\.url\)/g, 'new URL($1$2.js$1, import.meta.url)');
    // Declarations keep the sources' .ts import paths (TypeScript 5.9 rewrites only the
    // JavaScript); a consumer without allowImportingTsExtensions needs .js ones.
    if (file.endsWith('.d.ts')) out = out.replace(/(from\s+|import\()(['"])(\.{1,2}\/[^'"]+)\.ts\2/g, '$1$2$3.js$2');
    // The repository's CLI entry runs on the Node its shebang names; in the package the bin is launch.js.
    if (file.endsWith(join('src', 'cli.js'))) out = out.replace(/^#!.*\n/, '');
    ts.sys.writeFile(file, out, bom);
  });
  const problems = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics].filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (problems.length > 0 || result.emitSkipped) {
    throw new Error(ts.formatDiagnostics(problems, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' }));
  }
}

/** What the code reads at run time, beside the compiled code as in the repository. */
function copyAssets(): void {
  const copy = (from: string): void => {
    mkdirSync(dirname(join(DIST, from)), { recursive: true });
    cpSync(join(ROOT, from), join(DIST, from), { recursive: true });
  };
  for (const path of ['schemas', 'scaffold', 'src/dashboard', 'fixtures/default.avro', 'fixtures/default.labels.json', 'config/cepheus.example.yaml']) copy(path);
}

export function prepack(): void {
  restore();
  rmSync(DIST, { recursive: true, force: true });
  compile();
  copyAssets();
  const dev = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;
  mkdirSync(dirname(BACKUP), { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), BACKUP);
  writeFileSync(join(ROOT, 'package.json'), `${JSON.stringify(publishedManifest(dev), null, 2)}\n`);
  const files = walk(DIST);
  process.stderr.write(`prepack: dist/ holds ${files.length} files (${files.filter((f) => f.endsWith('.js')).length} .js, ${files.filter((f) => f.endsWith('.d.ts')).length} .d.ts); package.json swapped for the published one until postpack\n`);
}

/** Puts the repository's package.json back (also at the start of a pack an earlier one left unfinished). */
export function restore(): void {
  if (existsSync(BACKUP)) renameSync(BACKUP, join(ROOT, 'package.json'));
}

export function postpack(): void {
  restore();
  rmSync(DIST, { recursive: true, force: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const step = process.argv[2];
  if (step === 'prepack') prepack();
  else if (step === 'postpack') postpack();
  else {
    console.error('usage: node scripts/pack/build.ts prepack | postpack');
    process.exitCode = 1;
  }
}
