// `npm run bench -- --against <git ref>`: the same in-process scenarios for this working tree
// and for another commit, interleaved in one run so that both see the same machine load:
//
//   ref ──git archive──► <tmp>/cepheus-bench-<sha> (node_modules linked to this checkout's)
//   input ──written once──► <tmp>/…/input.bin (the same framed values for both sides)
//   for each scenario: ours, theirs, ours, theirs, ... (child processes, probe.ts), medians
//
// Each side runs its own engine, decoder and bench harness on the same bytes; the replay
// scenarios run each side's `cepheus replay` on the same generated file. A shared
// 2-core machine varies ±30 % between runs, so only medians of interleaved runs count.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface AgainstScenario {
  readonly name: string;
  /** What is compared: events/s (higher is better), p99 / p99.9 µs or bytes (lower is better). */
  readonly metric: 'eventsPerSec' | 'cpuEventsPerSec' | 'p99Us' | 'p999Us' | 'bytesPerAccount';
  readonly ours: readonly number[];
  readonly theirs: readonly number[];
  readonly medianOurs: number;
  readonly medianTheirs: number;
  /** medianOurs / medianTheirs. */
  readonly ratio: number;
  /** Every run's full output, in run order (ours, theirs alternating). */
  readonly raw: readonly { readonly side: 'ours' | 'theirs'; readonly result: unknown }[];
}

export interface AgainstResult {
  readonly ref: string;
  readonly commit: string;
  readonly ourCommit: string;
  readonly runs: number;
  readonly scenarios: readonly AgainstScenario[];
}

const here = fileURLToPath(new URL('../..', import.meta.url));

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** A copy of `ref` to run (made once per commit; node_modules is this checkout's). */
export function checkoutOf(ref: string): { dir: string; commit: string } {
  const commit = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], { cwd: here, encoding: 'utf8' }).trim();
  const dir = join(tmpdir(), `cepheus-bench-${commit.slice(0, 12)}`);
  if (!existsSync(join(dir, 'package.json'))) {
    mkdirSync(dir, { recursive: true });
    execFileSync('bash', ['-c', `git archive ${commit} | tar -x -C '${dir}'`], { cwd: here, stdio: 'inherit' });
  }
  if (!existsSync(join(dir, 'node_modules'))) symlinkSync(realpathSync(join(here, 'node_modules')), join(dir, 'node_modules'));
  const theirs = readFileSync(join(dir, 'package-lock.json'), 'utf8');
  const ours = readFileSync(join(here, 'package-lock.json'), 'utf8');
  if (theirs !== ours) process.stderr.write(`[bench] note: ${ref} has another package-lock.json; it runs with this checkout's node_modules\n`);
  return { dir, commit };
}

/** Writes the values as u32 little-endian length + bytes (probe.ts reads them back). */
export function writeValues(file: string, values: readonly Buffer[]): void {
  let total = 0;
  for (const v of values) total += 4 + v.length;
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const v of values) {
    out.writeUInt32LE(v.length, at);
    v.copy(out, at + 4);
    at += 4 + v.length;
  }
  writeFileSync(file, out);
}

function probe(root: string, scenario: string, input: string, extra: string[], nodeArgs: readonly string[]): Promise<Record<string, unknown>> {
  const args = [...nodeArgs, '--expose-gc', join(here, 'bench/lib/probe.ts'), root, scenario, input, ...extra];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || line === '') reject(new Error(`probe ${scenario} in ${root} exited with ${code}`));
      else resolve(JSON.parse(line) as Record<string, unknown>);
    });
  });
}

const metricsOf = (scenario: string): AgainstScenario['metric'][] =>
  scenario.startsWith('fixed-') ? ['p99Us', 'p999Us'] : scenario === 'state-idle-accounts' ? ['bytesPerAccount']
    : scenario === 'max-throughput' ? ['eventsPerSec', 'cpuEventsPerSec'] : ['eventsPerSec'];

function valueOf(metric: AgainstScenario['metric'], r: Record<string, unknown>): number {
  switch (metric) {
    case 'eventsPerSec': return r['eventsPerSec'] as number;
    case 'cpuEventsPerSec': return r['cpuEventsPerSec'] as number;
    case 'p99Us': return (r['latencyUs'] as Record<string, number>)['p99'] as number;
    case 'p999Us': return (r['latencyUs'] as Record<string, number>)['p999'] as number;
    case 'bytesPerAccount': return r['bytesPerAccount'] as number;
    default: {
      const never: never = metric;
      throw new Error(`unknown metric ${String(never)}`);
    }
  }
}

export interface AgainstOptions {
  readonly ref: string;
  readonly scenarios: readonly string[];
  readonly runs: number;
  readonly values: readonly Buffer[];
  readonly stateAccounts: number;
  /** Node flags for both sides' processes (e.g. a semi-space size being measured). */
  readonly nodeArgs?: readonly string[];
  readonly log: (s: string) => void;
}

/** An event file of `events` events for the replay scenarios, generated once with this tree's `cepheus gen` (seed 42). */
function replayFile(dir: string, format: string, events: number): string {
  const file = join(dir, `.bench-replay-${events}.${format}`);
  if (!existsSync(file)) execFileSync(process.execPath, [join(here, 'src/cli.ts'), 'gen', '--events', String(events), '--out', file, '--no-progress'], { cwd: here, stdio: 'ignore' });
  return file;
}

export async function against(o: AgainstOptions): Promise<AgainstResult> {
  const { dir, commit } = checkoutOf(o.ref);
  const ourCommit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: here, encoding: 'utf8' }).trim();
  const values = join(dir, `.bench-input-${o.values.length}.bin`);
  writeValues(values, o.values);
  const scenarios: AgainstScenario[] = [];
  for (const name of o.scenarios) {
    const metrics = metricsOf(name);
    const raw: { side: 'ours' | 'theirs'; result: Record<string, unknown> }[] = [];
    const extra = name === 'state-idle-accounts' ? [String(o.stateAccounts)] : [];
    const input = name.startsWith('replay-') ? replayFile(dir, name.slice('replay-'.length), o.values.length) : values;
    for (let i = 0; i < o.runs; i++) {
      for (const side of ['ours', 'theirs'] as const) {
        const r = await probe(side === 'ours' ? here : dir, name, input, extra, o.nodeArgs ?? []);
        raw.push({ side, result: r });
        o.log(`against ${o.ref}: ${name} run ${i + 1}/${o.runs} ${side}: ${metrics.map((m) => `${valueOf(m, r).toLocaleString('en')} ${m}`).join(', ')}`);
      }
    }
    for (const metric of metrics) {
      const ours = raw.filter((x) => x.side === 'ours').map((x) => valueOf(metric, x.result));
      const theirs = raw.filter((x) => x.side === 'theirs').map((x) => valueOf(metric, x.result));
      const mo = median(ours);
      const mt = median(theirs);
      scenarios.push({ name, metric, ours, theirs, medianOurs: mo, medianTheirs: mt, ratio: Math.round((mo / mt) * 1000) / 1000, raw });
    }
  }
  return { ref: o.ref, commit, ourCommit, runs: o.runs, scenarios };
}
