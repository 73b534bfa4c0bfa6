// Bench scenarios over the in-process pipeline: Confluent-framed Avro bytes → decode → engine
// (all bundled rules). Throughput at full speed, latency at fixed offered rates (open loop,
// measured from each event's intended send time, so coordinated omission is accounted for),
// a rule-count sweep, and state held per idle key.
import { DEFAULT_ENGINE_OPTIONS, createEngine } from '../../src/core/engine/index.ts';
import type { AnyRule } from '../../src/core/rule-types.ts';
import type { AnyEvent } from '../../src/events/types.ts';
import { CepError } from '../../src/core/errors.ts';
import { login, trade } from '../../src/testing.ts';
import { EVENT_KINDS } from '../../src/events/types.ts';
import { Rounds } from '../../src/workers/rounds.ts';
import { roundsOf } from '../../src/workers/rounds-of.ts';
import { WorkerShards } from '../../src/workers/shard-pool.ts';
import { shardHeapMb } from '../../src/config/heap-limits.ts';
import { SCHEMA_ID, benchDecoder } from './input.ts';
import type { FramedInput } from './input.ts';
import { encodeHistogram, histogram, percentiles, withGc } from './stats.ts';
import type { Percentiles } from './stats.ts';

export interface ThroughputResult {
  readonly name: string;
  readonly events: number;
  readonly rules: number;
  readonly eventsPerSec: number;
  readonly runsEventsPerSec: readonly number[];
  readonly alerts: number;
  readonly gcMs: number;
  readonly maxGcMs: number;
  readonly rssMiB: number;
}

export interface LatencyResult {
  readonly name: string;
  readonly offeredPerSec: number;
  readonly achievedPerSec: number;
  readonly events: number;
  /** Microseconds from intended send time to processed (decode + engine + effects). */
  readonly latencyUs: Percentiles;
  readonly histogram: string;
  readonly gcMs: number;
  readonly maxGcMs: number;
}

export interface StateResult {
  readonly name: string;
  readonly keys: number;
  readonly bytesPerAccount: number;
  readonly heapMiB: number;
}

/** Decodes and pushes one framed value; returns the alerts it produced once drained. */
function pipeline(rules: readonly AnyRule[]): { feed: (b: Buffer) => void; drain: () => number; flush: () => number } {
  const engine = createEngine(rules, { outOfOrdernessMs: 5000 });
  // The decoder the shard workers use (one per process, as there).
  const decoder = benchDecoder();
  let offset = 0;
  const count = (): number => {
    let n = 0;
    for (const f of engine.drain()) if (f.kind === 'alert') n++;
    return n;
  };
  return {
    feed: (b) => {
      const e = decoder.decodeFramed(b, 'bench', 'bench/0', offset++);
      if ('code' in e) throw new Error(e.message);
      engine.push(e as AnyEvent);
    },
    drain: count,
    flush: () => {
      engine.flush();
      return count();
    },
  };
}

export async function maxThroughput(name: string, rules: readonly AnyRule[], input: readonly Buffer[], runs = 3): Promise<ThroughputResult> {
  const rates: number[] = [];
  let alerts = 0;
  const { result, gcMs, maxGcMs } = await withGc(async () => {
    for (let r = 0; r < runs; r++) {
      const p = pipeline(rules);
      alerts = 0;
      const t0 = performance.now();
      for (let i = 0; i < input.length; i++) {
        p.feed(input[i] as Buffer);
        if ((i & 1023) === 1023) alerts += p.drain();
      }
      alerts += p.flush();
      rates.push(Math.round(input.length / ((performance.now() - t0) / 1000)));
    }
    return rates;
  });
  const sorted = [...result].sort((a, b) => a - b);
  return {
    name, events: input.length, rules: rules.length, eventsPerSec: sorted[Math.floor(sorted.length / 2)] as number, runsEventsPerSec: result, alerts,
    gcMs, maxGcMs, rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
}

/**
 * Open loop at a fixed offered rate: event i is due at start + i / rate. Whatever is due is
 * processed in one batch (at most 1024); each event's latency runs from when it was due to
 * when its batch finished, so a stall counts against every event that waited behind it.
 */
export async function fixedRate(name: string, rules: readonly AnyRule[], input: readonly Buffer[], ratePerSec: number): Promise<LatencyResult> {
  const h = histogram();
  const p = pipeline(rules);
  const periodMs = 1000 / ratePerSec;
  const { gcMs, maxGcMs, result: elapsed } = await withGc(async () => {
    const start = performance.now();
    let i = 0;
    while (i < input.length) {
      const now = performance.now();
      const due = Math.min(input.length, Math.floor((now - start) / periodMs) + 1);
      if (due <= i) continue; // spin until the next event is due
      const end = Math.min(due, i + 1024);
      const first = i;
      for (; i < end; i++) p.feed(input[i] as Buffer);
      p.drain();
      const done = performance.now();
      for (let k = first; k < end; k++) h.recordValue(Math.max(1, Math.round((done - (start + k * periodMs)) * 1000)));
    }
    p.flush();
    return performance.now() - start;
  });
  return {
    name, offeredPerSec: ratePerSec, achievedPerSec: Math.round(input.length / (elapsed / 1000)), events: input.length,
    latencyUs: percentiles(h), histogram: encodeHistogram(h), gcMs, maxGcMs,
  };
}

/** Heap held per idle account after one login and one trade each, once state is compacted. */
export function stateBytes(rules: readonly AnyRule[], accounts: number): StateResult {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new CepError('CEP_ERR_BENCH_GC', 'run with node --expose-gc to measure state size');
  // No key budget: this measures what a key costs, not what a budget keeps.
  const engine = createEngine(rules, { maxKeys: Infinity });
  gc();
  const before = process.memoryUsage().heapUsed;
  let ts = 1_767_571_200_000;
  for (let i = 0; i < accounts; i++) {
    const account = `AC${String(i).padStart(8, '0')}`;
    engine.push(login(`l${i}`, ts++, { account, device: `dev-${i % 9973}`, ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` }));
    engine.push(trade(`t${i}`, ts++, { account, instrument: `XS${i % 60}`, notional: 5_000 }));
    if ((i & 4095) === 4095) engine.drain();
  }
  engine.advanceWatermark(ts + 86_400_000);
  engine.drain();
  engine.compact();
  gc();
  const after = process.memoryUsage().heapUsed;
  return { name: 'state-idle-accounts', keys: engine.stats().keys, bytesPerAccount: Math.round((after - before) / accounts), heapMiB: Math.round(after / 2 ** 20) };
}

/**
 * Through the shard workers (piscina, one thread per shard) in rounds of 4 096 values from 4
 * streams keyed by account, as the service reads Kafka partitions: each value is decoded by
 * its stream's home shard and routed to the shards owning its keys. One shard runs a round as
 * one task (`workers-1`); `twoPhase` forces ingest and deliver as two tasks, to compare
 * (`workers-1-two-phase`).
 */
export async function shardedThroughput(shards: number, framed: FramedInput, runs = 2, twoPhase = false): Promise<ThroughputResult> {
  const rates: number[] = [];
  let alerts = 0;
  const { values: input, streams: streamOf, streamCount: streams } = framed;
  const { gcMs, maxGcMs } = await withGc(async () => {
    for (let r = 0; r < runs; r++) {
      const rounds = await Rounds.start({
        backend: new WorkerShards(shards, shardHeapMb(DEFAULT_ENGINE_OPTIONS, shards)), maxInFlight: 4, ...(twoPhase ? { singleTask: false } : {}),
        init: {
          rules: [], engine: { outOfOrdernessMs: 5000 }, kindsByTopic: [['bench', EVENT_KINDS]], restore: [],
          streams: Array.from({ length: streams }, (_, partition) => ({ topic: 'bench', partition, format: 'confluent' as const, schemaId: 0, maxTs: -Infinity, active: true })),
          schemas: EVENT_KINDS.map((kind) => ({ id: SCHEMA_ID[kind], schema: null, kind })),
        },
      });
      const t0 = performance.now();
      for (const parts of roundsOf(input, (k) => streamOf[k] as number, 4096)) await rounds.submit(parts);
      rounds.requestFlush();
      await rounds.submit([]);
      await rounds.barrier();
      rates.push(Math.round(input.length / ((performance.now() - t0) / 1000)));
      alerts = rounds.take().output.alerts.length;
      await rounds.close();
    }
  });
  const sorted = [...rates].sort((a, b) => a - b);
  return {
    name: `workers-${shards}${twoPhase ? '-two-phase' : ''}`, events: input.length, rules: 10, eventsPerSec: sorted[sorted.length - 1] as number, runsEventsPerSec: rates, alerts,
    gcMs, maxGcMs, rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
}

/** n copies of the rule set with distinct ids (same key spaces and contexts). */
export function cloneRules(rules: readonly AnyRule[], n: number): AnyRule[] {
  const out: AnyRule[] = [];
  for (let c = 0; out.length < n; c++) for (const r of rules) if (out.length < n) out.push(c === 0 ? r : { ...r, id: `${r.id}-c${c}` });
  return out;
}

export type { AnyEvent };
