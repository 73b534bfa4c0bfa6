// Type-checks rule modules before they load: a TypeScript Program over the rule files with one
// fixed, strict compiler configuration (RULE_COMPILER_OPTIONS, the same one `cepheus init`
// writes into a project's tsconfig.json), resolving `cepheus` to the running package's
// declarations when the rule's own folder does not install it. Only the rule files and the
// helper modules they import are reported on: the package's own files and node_modules are
// trusted. Node strips types without checking them, so without this a rule reading `e.device`
// on a Transfer would load and silently never fire.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, relative, sep } from 'node:path';
import { getEnvironmentData, setEnvironmentData } from 'node:worker_threads';
import type TS from 'typescript';
import { PACKAGE_ROOT, isCepheusSpecifier } from './package-root.ts';

/** The compiler options rules are checked with, as they read in a tsconfig.json. */
export const RULE_COMPILER_OPTIONS = {
  target: 'es2024',
  lib: ['es2024'],
  module: 'nodenext',
  moduleResolution: 'nodenext',
  types: [] as string[],
  strict: true,
  noUncheckedIndexedAccess: true,
  noFallthroughCasesInSwitch: true,
  verbatimModuleSyntax: true,
  erasableSyntaxOnly: true,
  allowImportingTsExtensions: true,
  isolatedModules: true,
  skipLibCheck: true,
  noEmit: true,
} as const;

export interface TypeProblem {
  readonly file: string;
  /** 1-based; 0 when the problem has no position (a compiler option, a missing file). */
  readonly line: number;
  readonly col: number;
  readonly code: number;
  readonly message: string;
}

/** `file:line:col: TS<code> message`, the file relative to `cwd` when it is below it. */
export function formatProblem(p: TypeProblem, cwd: string = process.cwd()): string {
  const rel = relative(cwd, p.file);
  const file = rel !== '' && !rel.startsWith('..') ? rel : p.file;
  return `${file}${p.line > 0 ? `:${p.line}:${p.col}` : ''}: TS${p.code} ${p.message}`;
}

export const isTypeScriptFile = (f: string): boolean => /\.[mc]?ts$/.test(f) && !f.endsWith('.d.ts');

const ownSources = join(PACKAGE_ROOT, 'src') + sep;
/** Files whose problems are the rule author's: not ours, not installed, not declarations. */
const isAuthored = (f: string): boolean => !f.endsWith('.d.ts') && !f.includes(`${sep}node_modules${sep}`) && !f.startsWith(ownSources);

// A set of files that checked clean, by their contents, shared with worker threads started
// afterwards (setEnvironmentData): a shard worker loading the same rules does not check again.
const CACHE_KEY = 'cepheus:type-checked-rules';
const sha = (file: string): string => {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return 'missing';
  }
};
const cacheKey = (roots: readonly string[]): string => [...roots].sort().join('\u0000');

/** True when these files, with these contents, checked clean before (on this thread or the one that started it). */
export function checkedBefore(roots: readonly string[]): boolean {
  const cache = getEnvironmentData(CACHE_KEY) as Map<string, ReadonlyArray<readonly [string, string]>> | undefined;
  const files = cache?.get(cacheKey(roots));
  return files !== undefined && files.every(([f, h]) => sha(f) === h);
}

function remember(roots: readonly string[], files: readonly string[]): void {
  const cache = new Map(getEnvironmentData(CACHE_KEY) as Map<string, ReadonlyArray<readonly [string, string]>> | undefined);
  cache.set(cacheKey(roots), files.map((f) => [f, sha(f)] as const));
  setEnvironmentData(CACHE_KEY, cache);
}

let typescript: typeof TS | undefined;

/**
 * Type-checks rule files (absolute paths of .ts/.mts/.cts modules) and every module they import
 * outside node_modules and the package's own sources. Returns the problems, in file order.
 */
export async function typeCheckRules(roots: readonly string[]): Promise<TypeProblem[]> {
  const files = roots.filter(isTypeScriptFile);
  if (files.length === 0 || checkedBefore(files)) return [];
  const ts = typescript ??= (await import('typescript')).default;
  const parsed = ts.convertCompilerOptionsFromJson(RULE_COMPILER_OPTIONS, PACKAGE_ROOT);
  const options: TS.CompilerOptions = { ...parsed.options, noEmit: true };
  const host = ts.createCompilerHost(options, true);
  // Where `cepheus` resolves when the rule's folder does not install it: this very package
  // (its exports map, by self-reference from a file at its root).
  const fromPackage = join(PACKAGE_ROOT, '__rules__.ts');
  const cache = ts.createModuleResolutionCache(host.getCurrentDirectory(), (s) => s, options);
  host.resolveModuleNameLiterals = (literals, containingFile, redirected, opts, containingSourceFile) =>
    literals.map((lit) => {
      const mode = ts.getModeForUsageLocation(containingSourceFile, lit, opts);
      const found = ts.resolveModuleName(lit.text, containingFile, opts, host, cache, redirected, mode);
      if (found.resolvedModule !== undefined || !isCepheusSpecifier(lit.text)) return found;
      return ts.resolveModuleName(lit.text, fromPackage, opts, host, cache, redirected, ts.ModuleKind.ESNext);
    });
  // Node runs a .ts file with import syntax as an ES module wherever it is (module syntax
  // detection), so the checker does too, unless it is a .cts file.
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, languageVersion, onError, shouldCreate) => {
    const version = typeof languageVersion === 'object' && isAuthored(name) && !name.endsWith('.cts')
      ? { ...languageVersion, impliedNodeFormat: ts.ModuleKind.ESNext as TS.ResolutionMode } : languageVersion;
    return getSourceFile(name, version, onError, shouldCreate);
  };
  const program = ts.createProgram({ rootNames: files, options, host });
  const authored = program.getSourceFiles().filter((f) => isAuthored(f.fileName) && !program.isSourceFileDefaultLibrary(f));
  const diagnostics = [
    ...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics(),
    ...authored.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]),
  ];
  const problems = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).map((d): TypeProblem => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n  ');
    if (d.file === undefined || d.start === undefined) return { file: d.file?.fileName ?? '', line: 0, col: 0, code: d.code, message };
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return { file: d.file.fileName.split('/').join(sep), line: line + 1, col: character + 1, code: d.code, message };
  });
  if (problems.length === 0) remember(files, authored.map((f) => f.fileName));
  return problems;
}
