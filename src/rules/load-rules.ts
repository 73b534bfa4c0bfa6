// Loads rules from bundled ids, module paths and folders. A rule module exports rules as its
// default export (one rule or an array) and/or as named exports; anything else is ignored.
// Loading is where bad rules stop the start: every problem is reported with what to fix.
// Rule modules given by path are type-checked first (type-check.ts) and refused whole with
// CEP_ERR_RULE_TYPE when they do not compile; the bundled ones were checked when built.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CepError } from '../core/errors.ts';
import type { AnyRule } from '../core/rule-types.ts';
import { validateRules } from '../core/validate.ts';
import { resolveCepheusFromAnywhere } from './resolve-cepheus.ts';
import { formatProblem, typeCheckRules } from './type-check.ts';

export const BUNDLED_RULES_DIR = fileURLToPath(new URL('../../rules/', import.meta.url));

export interface LoadedRule {
  readonly rule: AnyRule;
  /** The module file it came from. */
  readonly source: string;
  /** The line of that file where the rule's id is written (undefined when it is computed). */
  readonly line: number | undefined;
}

/**
 * The 1-based line where a rule is defined in its module: where its id is written quoted
 * (outside comments), else, for a rule a library factory builds, the module's first export.
 */
function lineOf(text: string, id: string): number | undefined {
  const lines = text.split('\n');
  const code = (l: string): boolean => !/^\s*(\/\/|\*|\/\*)/.test(l);
  const quoted = lines.findIndex((l) => code(l) && [`'${id}'`, `"${id}"`, `\`${id}\``].some((q) => l.includes(q)));
  const at = quoted >= 0 ? quoted : lines.findIndex((l) => /^export (default|const|function)\b/.test(l));
  return at < 0 ? undefined : at + 1;
}

const MODULE_EXT = new Set(['.ts', '.mts', '.js', '.mjs']);
const isRuleFile = (f: string): boolean =>
  MODULE_EXT.has(extname(f)) && !/\.(test|spec|test-d)\.[mc]?[jt]s$/.test(f) && !basename(f).startsWith('_') && !f.endsWith('.d.ts');

function isRule(x: unknown): x is AnyRule {
  return typeof x === 'object' && x !== null && 'kind' in x && 'id' in x &&
    ['sequence', 'threshold', 'correlation'].includes(String((x as { kind: unknown }).kind));
}

/** Module files in a folder (not recursive into `lib/` or hidden folders), sorted. */
export function ruleFilesIn(dir: string): string[] {
  return readdirSync(dir).filter(isRuleFile).sort().map((f) => join(dir, f));
}

/** Ids of the rules bundled in rules/ (file names). */
export function bundledRuleIds(): string[] {
  return ruleFilesIn(BUNDLED_RULES_DIR).map((f) => basename(f, extname(f)));
}

/** Resolves a spec (bundled id, file or folder) to module files. */
export function resolveRuleSpec(spec: string, cwd: string = process.cwd()): string[] {
  const asPath = resolve(cwd, spec);
  if (existsSync(asPath)) {
    return statSync(asPath).isDirectory() ? ruleFilesIn(asPath) : [asPath];
  }
  for (const ext of ['.ts', '.js']) {
    const bundled = join(BUNDLED_RULES_DIR, `${spec}${ext}`);
    if (existsSync(bundled)) return [bundled];
  }
  throw new CepError('CEP_ERR_RULE_NOT_FOUND', `no rule '${spec}': not a file or folder, and not a bundled rule id`,
    [`bundled rules: ${bundledRuleIds().join(', ') || '(none)'}`, 'pass a bundled id, a path to a rule module, or a folder of rule modules']);
}

async function rulesOfModule(file: string): Promise<AnyRule[]> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    throw new CepError('CEP_ERR_RULE_MODULE', `cannot load rule module ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const out: AnyRule[] = [];
  const add = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(add);
    else if (isRule(x) && !out.includes(x)) out.push(x);
  };
  add(mod['default']);
  // Named exports in the order of an ES module namespace (sorted by name), whatever loaded it.
  for (const [name, value] of Object.entries(mod).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) if (name !== 'default') add(value);
  return out;
}

export interface LoadOptions {
  /**
   * Type-check rule modules given by path before importing them. Default: on, unless the
   * environment says CEPHEUS_RULES_TYPECHECK=off (how `cepheus run --no-type-check` reaches
   * the service and its shard workers).
   */
  readonly typeCheck?: boolean;
}

export const typeCheckByDefault = (): boolean => process.env['CEPHEUS_RULES_TYPECHECK'] !== 'off';

/** Rule files given by path whose types must be checked before loading (not the bundled ones). */
export const filesToCheck = (files: readonly string[]): string[] => files.filter((f) => !f.startsWith(BUNDLED_RULES_DIR));

/** Throws CEP_ERR_RULE_TYPE listing every problem (file:line:col: TS<code> message), if any. */
export async function assertRulesTypeCheck(files: readonly string[], cwd: string = process.cwd()): Promise<void> {
  const problems = await typeCheckRules(files);
  if (problems.length === 0) return;
  throw new CepError('CEP_ERR_RULE_TYPE', `${problems.length} type error${problems.length === 1 ? '' : 's'} in rule modules; nothing was loaded (fix them, or pass --no-type-check to load unchecked)`,
    problems.map((p) => formatProblem(p, cwd)));
}

/**
 * Loads and validates rules. Specs default to every bundled rule. Throws a CepError naming
 * every problem (unknown id, type error, module that fails to import, invalid or duplicate rule).
 */
export async function loadRules(specs: readonly string[] = [], cwd: string = process.cwd(), options: LoadOptions = {}): Promise<LoadedRule[]> {
  const files = [...new Set((specs.length === 0 ? [BUNDLED_RULES_DIR] : specs).flatMap((s) => resolveRuleSpec(s, cwd)))];
  if (options.typeCheck ?? typeCheckByDefault()) await assertRulesTypeCheck(filesToCheck(files), cwd);
  resolveCepheusFromAnywhere();
  const loaded: LoadedRule[] = [];
  for (const file of files) {
    const rules = await rulesOfModule(file);
    if (rules.length === 0 && specs.length > 0 && statSync(file).isFile() && specs.some((s) => resolve(cwd, s) === file)) {
      throw new CepError('CEP_ERR_RULE_MODULE', `${file} exports no rule; export default sequence(...), threshold(...) or correlate(...)`);
    }
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // The module loaded; only its line numbers are unknown.
    }
    for (const rule of rules) if (!loaded.some((l) => l.rule === rule)) loaded.push({ rule, source: file, line: lineOf(text, rule.id) });
  }
  if (loaded.length === 0) throw new CepError('CEP_ERR_RULE_NOT_FOUND', `no rules found in ${specs.join(', ') || BUNDLED_RULES_DIR}`);
  validateRules(loaded.map((l) => l.rule));
  return loaded;
}
