// `node bench/key-explosion.ts`: memory of `cepheus replay` under a key explosion. For each
// size N it writes (once, then reuses) an Avro file of N events, each for a new account, 10 ms
// apart (bench/lib/key-flood.ts), runs `cepheus replay` on it as a child process with Node's
// default heap limit, samples its RSS from /proc every 250 ms, and records peak RSS (VmHWM),
// RSS at 25/50/75/100 % of the run, wall time, events/s and the replay summary (evictions
// included) in bench/results/memory/key-explosion-<stamp>.json. A run that dies (heap limit) is a
// result too: its exit code and the last lines of its stderr are kept.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { writeEvents } from '../src/io/write-events.ts';
import { floodEvents } from './lib/key-flood.ts';
import { machineInfo } from './lib/machine.ts';

const log = (s: string): void => {
  process.stderr.write(`[key-explosion] ${s}\n`);
};

function status(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string): number => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(text)?.[1] ?? 0);
    return { rss: Math.round(kb('VmRSS') / 1024), hwm: Math.round(kb('VmHWM') / 1024) };
  } catch {
    return undefined;
  }
}

/** What a failed run said: V8's FATAL ERROR line (heap limit) or our error codes, then its last lines. */
function crashLines(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  const key = lines.filter((l) => /FATAL ERROR|out of memory|CEP_ERR_/.test(l)).slice(0, 3);
  return [...key, ...lines.slice(-3).filter((l) => !key.includes(l))].join('\n');
}

async function ensureInput(dir: string, n: number): Promise<string> {
  const file = join(dir, `flood-${n}.avro`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  log(`writing ${n.toLocaleString('en')} events to ${file}`);
  await writeEvents(`${file}.tmp.avro`, floodEvents(0, n));
  renameSync(`${file}.tmp.avro`, file);
  log(`written in ${Math.round((performance.now() - t0) / 1000)} s`);
  return file;
}

interface RunResult {
  readonly accounts: number;
  readonly nodeArgs: readonly string[];
  readonly args: readonly string[];
  readonly exitCode: number | null;
  readonly wallSec: number;
  readonly eventsPerSec: number | null;
  readonly rssMiB: { readonly peak: number; readonly at25: number; readonly at50: number; readonly at75: number; readonly last: number };
  readonly summary: Record<string, unknown> | null;
  readonly stderrTail: string;
}

async function runReplay(file: string, accounts: number, nodeArgs: readonly string[], args: readonly string[], timeoutSec: number): Promise<RunResult> {
  const argv = [...nodeArgs, 'src/cli.ts', 'replay', file, '--no-progress', ...args];
  log(`node ${argv.join(' ')}`);
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => {
    stdout += b.toString();
  });
  child.stderr.on('data', (b: Buffer) => {
    if (stderr.length < 65_536) stderr += b.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal === null ? null : 128))));
  const samples: { t: number; rss: number }[] = [];
  let peak = 0;
  const t0 = performance.now();
  const timer = setInterval(() => {
    const s = status(child.pid as number);
    if (s === undefined) return;
    samples.push({ t: performance.now() - t0, rss: s.rss });
    peak = Math.max(peak, s.hwm);
  }, 250);
  const kill = setTimeout(() => child.kill('SIGKILL'), timeoutSec * 1000);
  const exitCode = await exited;
  clearInterval(timer);
  clearTimeout(kill);
  const wallSec = (performance.now() - t0) / 1000;
  let summary: Record<string, unknown> | null = null;
  try {
    summary = JSON.parse(stdout) as Record<string, unknown>;
  } catch {
    summary = null;
  }
  const at = (share: number): number => samples[Math.min(samples.length - 1, Math.floor(samples.length * share))]?.rss ?? 0;
  const { rules: _rules, ...brief } = summary ?? {};
  return {
    accounts, nodeArgs, args, exitCode, wallSec: Math.round(wallSec * 10) / 10,
    eventsPerSec: typeof summary?.['eventsPerSec'] === 'number' ? summary['eventsPerSec'] : null,
    rssMiB: { peak, at25: at(0.25), at50: at(0.5), at75: at(0.75), last: samples[samples.length - 1]?.rss ?? 0 },
    summary: summary === null ? null : brief, stderrTail: exitCode === 0 ? '' : crashLines(stderr),
  };
}

async function main(o: { accounts: string; dir: string; arg: string[]; nodeArg: string[]; timeout: number; label?: string; out?: string }): Promise<void> {
  const sizes = o.accounts.split(',').map((s) => Number(s.trim()));
  const runs: RunResult[] = [];
  for (const n of sizes) {
    const file = await ensureInput(o.dir, n);
    const r = await runReplay(file, n, o.nodeArg, o.arg, o.timeout);
    log(`${n.toLocaleString('en')} accounts: exit ${r.exitCode}, ${r.wallSec} s, ${r.eventsPerSec ?? '-'} events/s, peak RSS ${r.rssMiB.peak} MiB${r.stderrTail === '' ? '' : `\n${r.stderrTail}`}`);
    runs.push(r);
  }
  const result = { format: 1, bench: 'key-explosion', label: o.label ?? null, startedAt: new Date().toISOString(), machine: machineInfo(), runs };
  mkdirSync('bench/results/memory', { recursive: true });
  const out = o.out ?? join('bench/results/memory', `key-explosion-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  log(`result: ${out}`);
}

const program = new Command('key-explosion')
  .description('memory of `cepheus replay` over N events, each for a new account, 10 ms apart')
  .option('--accounts <list>', 'comma-separated sizes', '1500000,3000000,10000000')
  .option('--dir <dir>', 'where the generated input files are kept (reused when present)', '.run/key-explosion')
  .option('--arg <arg>', 'extra argument for `cepheus replay` (repeatable), e.g. --arg=--max-keys=200000', (v: string, prev: string[]) => [...prev, v], [])
  .option('--node-arg <arg>', 'argument for node itself (repeatable), e.g. --node-arg=--max-old-space-size=1536', (v: string, prev: string[]) => [...prev, v], [])
  .option('--timeout <s>', 'kill a replay still running after this many seconds', (v) => Number(v), 1800)
  .option('--label <text>', 'a label stored with the result')
  .option('--out <file>', 'result file (default bench/results/memory/key-explosion-<stamp>.json)')
  .action(async (o: { accounts: string; dir: string; arg: string[]; nodeArg: string[]; timeout: number; label?: string; out?: string }) => {
    await main(o);
  });
await program.parseAsync();
