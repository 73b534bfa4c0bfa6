// Where the CPU of a measured window went: the whole bench process, its main thread, its
// shard threads, V8's and libuv's helper threads, and the rest of the machine (broker,
// registry, anything else running). Two samples, one at each end of the window, subtracted.
//
// Per-thread figures come from /proc/self/task/<tid>/stat (Linux; null elsewhere), in
// USER_HZ ticks: 10 ms granularity, fine for windows of seconds. Threads are told apart by
// the name Node gives them: `MainThread`, `WorkerThread` (piscina's shard workers, one per
// shard), `V8Worker` (concurrent GC marking, background compilation), `libuv-worker` (the
// thread pool: zlib for checkpoints, DNS); a bench worker has its own name (bench-*).
import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports per-thread and per-CPU times in USER_HZ, fixed at 100 for user space. */
const USER_HZ = 100;

export interface CpuSample {
  readonly wallMs: number;
  readonly process: NodeJS.CpuUsage;
  readonly main: NodeJS.CpuUsage;
  readonly elu: ReturnType<typeof performance.eventLoopUtilization>;
  /** tid → name and CPU ms so far; null without /proc. */
  readonly threads: ReadonlyMap<string, { readonly name: string; readonly ms: number }> | null;
  /** Busy and total CPU ms of the whole machine (all cores); null without /proc. */
  readonly machine: { readonly busyMs: number; readonly totalMs: number } | null;
}

export interface CpuSplit {
  readonly wallMs: number;
  /** Every thread of the bench process: the service runs in it. */
  readonly processMs: number;
  /** processMs per wall ms: cores the process kept busy on average. */
  readonly processCores: number;
  /** The main thread's own CPU (process.threadCpuUsage): Kafka client, pipeline, commits. */
  readonly mainThreadMs: number;
  /** Wall ms the main event loop was not idle (busy, or runnable but waiting for a core). */
  readonly mainLoopActiveMs: number;
  /** CPU of each shard thread (`WorkerThread`), in thread-id order; null without /proc. */
  readonly shardThreadsMs: readonly number[] | null;
  readonly v8HelpersMs: number | null;
  readonly libuvPoolMs: number | null;
  /** Threads of the process not named above (a bench producer thread, for one). */
  readonly otherThreadsMs: number | null;
  /** CPU used by the whole machine in the window, all cores, and how much of it was outside this process. */
  readonly machineBusyMs: number | null;
  readonly outsideProcessMs: number | null;
  /** Machine CPU available in the window (wall x cores). */
  readonly machineCapacityMs: number | null;
}

function threads(): Map<string, { name: string; ms: number }> | null {
  try {
    const out = new Map<string, { name: string; ms: number }>();
    for (const tid of readdirSync('/proc/self/task')) {
      try {
        const name = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        // Fields after "(comm)": state is field 3, utime 14 and stime 15 (1-based).
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        out.set(tid, { name, ms: ((Number(f[11]) + Number(f[12])) * 1000) / USER_HZ });
      } catch {
        // the thread exited while we listed them
      }
    }
    return out;
  } catch {
    return null;
  }
}

function machine(): { busyMs: number; totalMs: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest times are already in user).
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return { busyMs: ((total - idle) * 1000) / USER_HZ, totalMs: (total * 1000) / USER_HZ };
  } catch {
    return null;
  }
}

export function cpuSample(): CpuSample {
  return { wallMs: performance.now(), process: process.cpuUsage(), main: process.threadCpuUsage(), elu: performance.eventLoopUtilization(), threads: threads(), machine: machine() };
}

const ms = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;
const r = (x: number): number => Math.round(x);

export function cpuSplit(a: CpuSample, b: CpuSample): CpuSplit {
  const wallMs = b.wallMs - a.wallMs;
  const processMs = ms(b.process) - ms(a.process);
  let shards: number[] | null = null;
  let v8: number | null = null;
  let uv: number | null = null;
  let other: number | null = null;
  if (a.threads !== null && b.threads !== null) {
    shards = [];
    v8 = 0;
    uv = 0;
    other = 0;
    for (const [tid, t] of [...b.threads].sort((x, y) => Number(x[0]) - Number(y[0]))) {
      if (t.name === 'MainThread') continue;
      const d = t.ms - (a.threads.get(tid)?.ms ?? 0);
      if (t.name === 'WorkerThread') shards.push(r(d));
      else if (t.name === 'V8Worker') v8 += d;
      else if (t.name.startsWith('libuv-worker')) uv += d;
      else other += d;
    }
  }
  const m = a.machine !== null && b.machine !== null ? { busy: b.machine.busyMs - a.machine.busyMs, total: b.machine.totalMs - a.machine.totalMs } : null;
  return {
    wallMs: r(wallMs), processMs: r(processMs), processCores: Math.round((processMs / Math.max(1, wallMs)) * 100) / 100,
    mainThreadMs: r(ms(b.main) - ms(a.main)),
    mainLoopActiveMs: r(performance.eventLoopUtilization(b.elu, a.elu).active),
    shardThreadsMs: shards, v8HelpersMs: v8 === null ? null : r(v8), libuvPoolMs: uv === null ? null : r(uv), otherThreadsMs: other === null ? null : r(other),
    machineBusyMs: m === null ? null : r(m.busy), outsideProcessMs: m === null ? null : r(Math.max(0, m.busy - processMs)), machineCapacityMs: m === null ? null : r(m.total),
  };
}

/** Samples RSS every `everyMs` until stopped; returns the peak in MiB. */
export function rssPeak(everyMs = 100): { stop: () => number } {
  let peak = process.memoryUsage.rss();
  const t = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, everyMs);
  t.unref();
  return {
    stop: () => {
      clearInterval(t);
      return Math.round(Math.max(peak, process.memoryUsage.rss()) / 2 ** 20);
    },
  };
}
