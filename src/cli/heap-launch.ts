// Gives `cepheus replay` and `cepheus run` a heap limit by default (config/heap-limits.ts).
// Node fixes the main thread's heap when it starts, so when node was given no
// --max-old-space-size (flag or NODE_OPTIONS) this replaces the process, before anything else
// loads, with the same node, flags and arguments plus the limit: process.execve, the same pid,
// so stdout, stderr, exit codes, signals and whoever samples /proc/<pid> see one process, and
// nothing is printed. Where execve does not exist (Windows) the command runs with V8's default.
// Only node: builtins and small pure modules load here: the command line is read again by
// commander after the relaunch, and a value this cannot read is left for commander to reject.
import { DEFAULT_ENGINE_OPTIONS } from '../core/engine/options.ts';
import { MIN_HEAP_MB, SERVICE_MAIN_MB, SERVICE_MAIN_SEMI_SPACE_MB, heapFlagGiven, replayHeapMb } from '../config/heap-limits.ts';
import type { HeapLimitSetting } from '../config/heap-limits.ts';

/** Set in the relaunched process (and removed from its environment at once): never relaunch twice. */
const RELAUNCHED = 'CEPHEUS_HEAP_RELAUNCHED';

/** Values of `--name v` and `--name=v` before a `--`, in order. */
export function optionValues(argv: readonly string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') break;
    if (a === name && i + 1 < argv.length) out.push(argv[++i] as string);
    else if (a.startsWith(`${name}=`)) out.push(a.slice(name.length + 1));
  }
  return out;
}

const keyCount = (v: string): number | undefined => (v === 'none' ? Infinity : /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : undefined);

/** The main thread's old-generation limit for this command line (MiB), or undefined for none. */
export function mainHeapMb(argv: readonly string[]): number | undefined {
  const command = argv[0];
  if (command === 'run') return SERVICE_MAIN_MB;
  if (command !== 'replay') return undefined;
  const rest = argv.slice(1);
  const last = (name: string): string | undefined => optionValues(rest, name).at(-1);
  const setting = last('--heap-limit-mb');
  let limit: HeapLimitSetting = 'auto';
  if (setting !== undefined && setting !== 'auto') {
    const n = keyCount(setting);
    if (n === undefined || !Number.isFinite(n) || n < MIN_HEAP_MB) return undefined;
    limit = n;
  }
  const maxKeysArg = last('--max-keys');
  const maxKeys = maxKeysArg === undefined ? DEFAULT_ENGINE_OPTIONS.maxKeys : keyCount(maxKeysArg);
  if (maxKeys === undefined) return undefined;
  const bySpace: Record<string, number> = {};
  for (const part of optionValues(rest, '--max-keys-by-space').flatMap((v) => v.split(','))) {
    const m = /^([^=]+)=(.+)$/.exec(part.trim());
    const n = m === null ? undefined : keyCount((m[2] as string).trim());
    if (m === null || n === undefined) return undefined;
    bySpace[(m[1] as string).trim()] = n;
  }
  return replayHeapMb({ maxKeys, maxKeysBySpace: bySpace }, limit);
}

export interface LaunchProcess {
  readonly argv: readonly string[];
  readonly execArgv: readonly string[];
  readonly execPath: string;
  readonly env: NodeJS.ProcessEnv;
  readonly execve?: (file: string, args?: readonly string[], env?: NodeJS.ProcessEnv) => never;
}

/** The execve call that gives this process its heap limit, or undefined when none is due. */
export function relaunchPlan(p: LaunchProcess): { readonly file: string; readonly args: string[]; readonly env: NodeJS.ProcessEnv } | undefined {
  if (p.env[RELAUNCHED] !== undefined || p.execve === undefined || heapFlagGiven(p.execArgv, p.env['NODE_OPTIONS'])) return undefined;
  const mb = mainHeapMb(p.argv.slice(2));
  if (mb === undefined) return undefined;
  const semi = p.argv[2] === 'run' && !p.execArgv.some((a) => /^--max[-_]semi[-_]space[-_]size/.test(a)) ? [`--max-semi-space-size=${SERVICE_MAIN_SEMI_SPACE_MB}`] : [];
  const args = [p.execPath, ...p.execArgv, `--max-old-space-size=${mb}`, ...semi, ...p.argv.slice(1)];
  return { file: p.execPath, args, env: { ...p.env, [RELAUNCHED]: String(mb) } };
}

/** Replaces this process with one that has the heap limit, when one is due; otherwise returns. */
export function relaunchWithHeapLimit(p: NodeJS.Process = process): void {
  const plan = relaunchPlan(p);
  if (plan === undefined) {
    Reflect.deleteProperty(p.env, RELAUNCHED);
    return;
  }
  try {
    p.execve?.(plan.file, plan.args, plan.env);
  } catch {
    // Not replaced (execve refused): run as started, with V8's default.
  }
}
