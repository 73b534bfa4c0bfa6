// What one shard does with each task (protocol.ts), over a ShardCore (src/core/shard-core.ts).
// The same handler runs in a piscina worker thread (shard-worker.ts) and in-process (tests,
// the bench's single-thread runs), so both paths are one code path.
//
//   init     rules, engine options, streams, writer schemas, snapshots to restore
//   ingest   decode the values of the streams this shard is home for; events too far ahead of
//            their record's Kafka timestamp (quarantined: CEP_ERR_FUTURE_EVENT), late ones and
//            bad ones are reported by (stream, offset); others go to the owners of their keys
//   deliver  accept what other shards forwarded, schedule rule changes, advance the watermark
//            (or flush), return the alerts and other effects
//            (every task applies an operator's watermark resets first: protocol.ts StreamReset)
//   round    one shard only: ingest, then W_r from its copy of the driver's clock
//            (round-clock.ts), then deliver: the same two functions, so the same effects
//   snapshot the engine's state, v8-serialized (restore takes it deflated)
//   state    a key's state for a rule and the key's recent late / overflow events (as this
//            shard saw them); context: a context of a key
import { serialize } from 'node:v8';
import type { RuleChange } from '../core/rule-change.ts';
import type { AnyRule } from '../core/rule-types.ts';
import { FUTURE, LATE, ShardCore } from '../core/shard-core.ts';
import type { ShadowStart, ShardSnapshot } from '../core/shard-core.ts';
import type { AnyEvent, EventKind, EventTimeMs, SourceRef } from '../events/types.ts';
import type { InputError } from '../io/input-error.ts';
import { KafkaValueDecoder } from '../io/kafka-value.ts';
import { loadRules } from '../rules/load-rules.ts';
import { RecentKeyIssues } from '../explain/recent.ts';
import { BufferedRuleTimer } from '../metrics/rule-timer.ts';
import type {
  ContextResult, ContextTask, DeliverResult, DeliverTask, InfoResult, IngestResult, IngestTask, InitResult, InitTask, LateRef, RawRecord, Rejected, RoundResult, RoundTask,
  RuleChangeSpec, RuleErrorRef, SchemaSpec, ShardResult, ShardTask, SnapshotResult, StateResult, StateTask, StreamReset, StreamSpec,
} from './protocol.ts';
import { ForwardBuilder, RecordCursor } from './record-pack.ts';
import { ownSnapshots } from './own-snapshots.ts';
import { RoundClock } from './round-clock.ts';
import { CepError } from '../core/errors.ts';

/** Whether the bytes are the whole of their ArrayBuffer (so transferring it moves nothing else). */
export const ownsMemory = (b: Uint8Array): boolean => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer;

/** Rules of materialized bundles, by content hash (a bundle is loaded once per thread). */
const bundles = new Map<string, Promise<readonly AnyRule[]>>();
const bundleRules = (hash: string, dir: string): Promise<readonly AnyRule[]> => {
  let p = bundles.get(hash);
  if (p === undefined) {
    p = loadRules([dir], dir, { typeCheck: false }).then((l) => l.map((x) => x.rule));
    bundles.set(hash, p);
  }
  return p;
};

/** The candidate of a shadow change: its rule in its bundle. */
async function candidateOf(c: Extract<RuleChangeSpec, { kind: 'shadow' }>): Promise<AnyRule> {
  const rule = (await bundleRules(c.hash, c.dir)).find((r) => r.id === c.ruleId);
  if (rule === undefined) throw new CepError('CEP_ERR_CONTROL_RECORD', `change ${c.seq} shadows rule ${c.ruleId}, which bundle ${c.hash} does not hold`);
  return rule;
}

/** A change as the core takes it (a deploy's bundle, a shadow's candidate loaded). */
async function coreChange(c: RuleChangeSpec): Promise<RuleChange> {
  switch (c.kind) {
    case 'deploy': return { kind: 'deploy', seq: c.seq, at: c.at, rules: await bundleRules(c.hash, c.dir) };
    case 'shadow': return { kind: 'shadow', seq: c.seq, at: c.at, rule: await candidateOf(c) };
    case 'switch': case 'promote': case 'discard': return c;
    default: {
      const never: never = c;
      throw new Error(`unknown rule change ${JSON.stringify(never)}`);
    }
  }
}

/**
 * The rule set a shard starts with, the candidates in shadow and the changes still to apply:
 * those the restored snapshots had applied (a snapshot without the count: the first deploy,
 * the rules at start) make the set; without snapshots, the first deploy does.
 */
export async function startingRules(changes: readonly RuleChangeSpec[], snapshots: readonly ShardSnapshot[]): Promise<{ rules: readonly AnyRule[]; applied: number; pending: RuleChange[]; shadows: ShadowStart[] } | undefined> {
  const first = changes.find((c) => c.kind === 'deploy');
  if (first === undefined) return undefined;
  const applied = snapshots[0]?.ruleChangesApplied ?? first.seq;
  let rules: readonly AnyRule[] = [];
  const shadows = new Map<string, ShadowStart>();
  for (const c of changes) {
    if (c.seq > applied) break;
    switch (c.kind) {
      case 'deploy':
        rules = await bundleRules(c.hash, c.dir);
        break;
      case 'shadow':
        shadows.delete(c.ruleId);
        shadows.set(c.ruleId, { seq: c.seq, rule: await candidateOf(c) });
        break;
      case 'promote': {
        const sh = shadows.get(c.ruleId);
        if (sh === undefined) break;
        rules = rules.some((r) => r.id === c.ruleId) ? rules.map((r) => (r.id === c.ruleId ? sh.rule : r)) : [...rules, sh.rule];
        shadows.delete(c.ruleId);
        break;
      }
      case 'discard':
        shadows.delete(c.ruleId);
        break;
      case 'switch':
        // The snapshot holds which rules are switched off.
        break;
      default: {
        const never: never = c;
        throw new Error(`unknown rule change ${JSON.stringify(never)}`);
      }
    }
  }
  const pending = await Promise.all(changes.filter((c) => c.seq > applied).map(coreChange));
  return { rules, applied, pending, shadows: [...shadows.values()] };
}
const iso = (ms: number): string => new Date(ms).toISOString();

/** The dead letter's message for a quarantined event (ShardCore.route said FUTURE). */
export function futureMessage(where: string, offset: number, e: AnyEvent, recordTs: number, maxFutureSkewMs: number): string {
  return `CEP_ERR_FUTURE_EVENT: ${where}: offset ${offset}: event ${e.id} at ${iso(e.ts)} is ${e.ts - recordTs} ms ahead of its record's Kafka timestamp ${iso(recordTs)}`
    + ` (maxFutureSkewMs ${maxFutureSkewMs}); quarantined: it moved no watermark`;
}

export type ShardHandler = (task: ShardTask) => Promise<ShardResult>;

/**
 * A shard's task handler. `rules`, when given, replaces loading `init.rules` (in-process
 * callers that already hold rule objects).
 */
export function createShardHandler(rules?: readonly AnyRule[]): ShardHandler {
  let core: ShardCore | undefined;
  let decoder: KafkaValueDecoder | undefined;
  let ruleSet: readonly AnyRule[] = [];
  /** Late events and overflow drops this shard saw, per key, for state queries. */
  let recent = new RecentKeyIssues([]);
  let streams: readonly StreamSpec[] = [];
  let where: string[] = [];
  /** One shard only: the driver's clock as of the last round, and the watermark that round sent. */
  let clock: RoundClock | undefined;
  let watermark = -Infinity;
  const streamOf = new Map<string, number>();
  const out = new Int32Array(64);
  /** Records of events found behind the engine's watermark when accepted, until drained. */
  const lateRecords = new Map<string, RawRecord>();
  /** Sampled per-rule evaluation times, returned with each deliver. */
  const timer = new BufferedRuleTimer();
  /** The engine whose rule ids the last deliver sent (the timer counts by its rule index). */
  let idsSentFor: unknown;

  const ready = (): { core: ShardCore; decoder: KafkaValueDecoder } => {
    if (core === undefined || decoder === undefined) throw new CepError('CEP_ERR_SHARD_NOT_INITIALISED', 'send an init task first');
    return { core, decoder };
  };

  const addSchemas = (schemas: readonly SchemaSpec[]): void => {
    for (const s of schemas) ready().decoder.add(s, s.kind);
  };

  const decode = (d: KafkaValueDecoder, stream: number, value: Buffer, offset: number): AnyEvent | InputError => {
    const spec = streams[stream];
    if (spec === undefined) throw new CepError('CEP_ERR_SHARD_STREAM', `unknown stream ${stream}`);
    const at = where[stream] as string;
    return spec.format === 'confluent' ? d.decodeFramed(value, spec.topic, at, offset) : d.decodePlain(value, spec.schemaId, spec.topic, at, offset);
  };

  const sourceOf = (stream: number, offset: number): SourceRef => {
    const spec = streams[stream] as StreamSpec;
    return { topic: spec.topic, partition: spec.partition, offset: String(offset) };
  };

  async function init(t: InitTask): Promise<InitResult> {
    // A restore replaces the engine: let its state go before the checkpoint is decoded and
    // rebuilt, or a live shard holds its old state, a decoded snapshot and the new state at
    // once (a 2M-key flood took a shard past its heap limit that way, in its second restore).
    core = undefined;
    decoder = undefined;
    recent = new RecentKeyIssues([]);
    const snapshots = ownSnapshots(t.restore, t.shard, t.shards, t.engine.keyGroups);
    const start = t.changes === undefined ? undefined : await startingRules(t.changes, snapshots);
    const loaded = start?.rules ?? rules ?? (await loadRules(t.rules)).map((l) => l.rule);
    core = new ShardCore(loaded, { ...t.engine, probe: timer }, t.shard, t.shards, snapshots, t.maxFutureSkewMs ?? Infinity, start?.pending, start?.applied, start?.shadows);
    // Changes from the start of time apply before anything is read.
    core.advance(core.engine.watermark);
    ruleSet = loaded;
    recent = new RecentKeyIssues(loaded);
    streams = t.streams;
    where = streams.map((s) => `${s.topic}/${s.partition}`);
    streamOf.clear();
    streams.forEach((s, i) => streamOf.set(`${s.topic}\u0000${s.partition}`, i));
    core.streams.ensure(streams.length);
    streams.forEach((s, i) => core?.streams.setStream(i, s.maxTs, s.active));
    decoder = new KafkaValueDecoder(new Map(t.kindsByTopic.map(([topic, kinds]) => [topic, kinds as readonly EventKind[]])));
    addSchemas(t.schemas);
    clock = t.shards === 1 ? new RoundClock(t) : undefined;
    watermark = t.watermark;
    return { op: 'init', keys: core.engine.stats().keys };
  }

  /** Resets are idempotent (they only lower), so a shard may apply a round's in ingest and again in deliver. */
  const applyResets = (resets: readonly StreamReset[] | undefined): void => {
    for (const r of resets ?? []) ready().core.resetStream(r.stream, r.maxTs, r.watermark);
  };

  function ingest(t: Omit<IngestTask, 'op'>, started: number): IngestResult {
    const { core: c, decoder: d } = ready();
    addSchemas(t.schemas);
    applyResets(t.resets);
    const forwards = new Map<number, ForwardBuilder>();
    const rejected: Rejected[] = [];
    const late: LateRef[] = [];
    const maxTs: (readonly [number, number])[] = [];
    let values = 0;
    for (const part of t.parts) {
      const stream = part.stream;
      const cur = new RecordCursor(part);
      for (let i = 0; i < cur.length; i++) {
        const value = cur.next();
        values++;
        const offset = cur.offset();
        const e = decode(d, stream, value, offset);
        if ('code' in e) {
          rejected.push({ stream, offset, code: e.code, message: e.message, record: cur.raw(value) });
          continue;
        }
        const recordTs = cur.timestamp();
        const n = c.route(stream, e, sourceOf(stream, offset), out, recordTs);
        if (n === FUTURE) {
          rejected.push({ stream, offset, code: 'CEP_ERR_FUTURE_EVENT', message: futureMessage(where[stream] as string, offset, e, recordTs, c.maxFutureSkewMs), record: cur.raw(value) });
          continue;
        }
        if (n === LATE) {
          late.push({ stream, offset, eventId: e.id, ts: e.ts, watermark: c.streams.watermarkOf(stream), record: cur.raw(value) });
          recent.record({ kind: 'late', event: e, source: null, watermark: c.streams.watermarkOf(stream) as EventTimeMs }, c.engine.watermark);
          continue;
        }
        if (c.lateHere) lateRecords.set(`${stream}/${offset}`, cur.raw(value));
        for (let k = 0; k < n; k++) {
          const to = out[k] as number;
          let f = forwards.get(to);
          if (f === undefined) {
            f = new ForwardBuilder(to, part.bytes.byteLength);
            forwards.set(to, f);
          }
          f.add(value, cur.key(), stream, offset, cur.timestamp());
        }
      }
      maxTs.push([stream, c.streams.maxTsOf(stream)]);
    }
    return {
      op: 'ingest', forwards: [...forwards.values()].map((f) => f.build()), maxTs, rejected, late, values,
      micros: Math.round((performance.now() - started) * 1000),
    };
  }

  /** Loads what the changes deploy (before the task runs: loading is asynchronous), then schedules them. */
  async function schedule(changes: readonly RuleChangeSpec[]): Promise<void> {
    if (changes.length === 0) return;
    const c = ready().core;
    for (const change of await Promise.all(changes.map(coreChange))) c.schedule(change);
  }

  function deliver(t: Omit<DeliverTask, 'op'>, started: number): DeliverResult {
    const { core: c, decoder: d } = ready();
    addSchemas(t.schemas);
    applyResets(t.resets);
    for (const f of t.forwards) {
      const cur = new RecordCursor(f);
      for (let i = 0; i < cur.length; i++) {
        const value = cur.next();
        const stream = f.streams[i] as number;
        const offset = cur.offset();
        const e = decode(d, stream, value, offset);
        // The home shard decoded it already; it cannot fail here unless the bytes changed.
        if ('code' in e) throw new CepError('CEP_ERR_SHARD_FORWARD', `${e.message}`);
        if (!c.deliver(e, sourceOf(stream, offset))) lateRecords.set(`${stream}/${offset}`, cur.raw(value));
      }
    }
    c.advance(t.watermark);
    if (t.flushTo !== null) c.flush(t.flushTo);
    const alerts = [];
    const late: LateRef[] = [];
    const ruleErrors: RuleErrorRef[] = [];
    let overflowDropped = 0;
    for (const f of c.drain()) {
      switch (f.kind) {
        case 'alert':
          alerts.push(f.alert);
          break;
        case 'late': {
          const stream = f.source === null ? -1 : streamOf.get(`${f.source.topic}\u0000${f.source.partition}`) ?? -1;
          const offset = f.source === null ? -1 : Number(f.source.offset);
          const record = lateRecords.get(`${stream}/${offset}`) ?? null;
          lateRecords.delete(`${stream}/${offset}`);
          late.push({ stream, offset, eventId: f.event.id, ts: f.event.ts, watermark: f.watermark, record });
          recent.record(f, c.engine.watermark);
          break;
        }
        case 'rule-error':
          ruleErrors.push({ ruleId: f.ruleId, key: f.key, eventId: f.eventId, error: f.error });
          break;
        case 'overflow':
          overflowDropped += f.dropped;
          recent.record(f, c.engine.watermark);
          break;
        default: {
          const never: never = f;
          throw new Error(`unknown effect ${JSON.stringify(never)}`);
        }
      }
    }
    const shadowAlerts = c.drainShadow();
    const micros = Math.round((performance.now() - started) * 1000);
    const r: DeliverResult = { op: 'deliver', alerts, late, ruleErrors, overflowDropped, micros, evaluations: timer.drain() };
    const changed = idsSentFor !== c.engine;
    idsSentFor = c.engine;
    if (!changed && shadowAlerts.length === 0) return r;
    return { ...r, ...(changed ? { ruleIds: c.engine.compiled.map((cr) => cr.rule.id) } : {}), ...(shadowAlerts.length === 0 ? {} : { shadowAlerts }) };
  }

  function round(t: RoundTask, started: number): RoundResult {
    if (clock === undefined) {
      const c = ready().core;
      throw new CepError('CEP_ERR_SHARD', `a round in one task needs exactly one shard (it decides the watermark itself); this is shard ${c.shard} of ${c.shards}`);
    }
    // The driver's order: activity changes made before the round, its resets, then its ingest.
    for (const [stream, active] of t.activity) clock.setActive(stream, active);
    for (const r of t.resets ?? []) {
      clock.reset(r.stream, r.maxTs);
      if (r.watermark < watermark) watermark = r.watermark;
    }
    const ingested = ingest(t, started);
    clock.observeIngest(ingested.maxTs);
    const next = clock.roundWatermark(watermark, t.flush);
    watermark = next.watermark;
    const delivered = deliver({ schemas: [], forwards: ingested.forwards, watermark, flushTo: next.flushTo, changes: [], resets: [] }, performance.now());
    return { op: 'round', ingest: ingested, deliver: delivered, watermark };
  }

  function snapshot(): SnapshotResult {
    const { core: c } = ready();
    // Transferred, so it must own its memory: a small result may sit in Buffer's shared pool
    // (copied then), a large one has its own (not copied: a second copy of a state of hundreds
    // of MiB raised the peak). Compression is the caller's, off this thread: the shard has work to do.
    const serialized = serialize(c.snapshot());
    const bytes = ownsMemory(serialized) ? new Uint8Array(serialized.buffer, 0, serialized.length) : new Uint8Array(serialized);
    return { op: 'snapshot', bytes, keys: c.engine.stats().keys };
  }

  function info(): InfoResult {
    const { core: c } = ready();
    return { op: 'info', rules: c.engine.rules(), shadows: c.shadowRules(), stats: c.engine.stats(), busyMs: Math.round(busy), idleMs: Math.round(performance.now() - born - busy) };
  }

  function state(t: StateTask): StateResult {
    const { core: c } = ready();
    const rule = ruleSet.find((r) => r.id === t.ruleId);
    return { op: 'state', view: c.engine.inspect(t.ruleId, t.key) ?? null, recent: rule === undefined ? { late: [], overflow: [] } : recent.of(rule, t.key) };
  }

  function context(t: ContextTask): ContextResult {
    return { op: 'context', view: ready().core.engine.keyContext(t.key, t.contextId) ?? null };
  }

  const born = performance.now();
  let busy = 0;
  const run = async (t: ShardTask, started: number): Promise<ShardResult> => {
    switch (t.op) {
      case 'init': return init(t);
      case 'ingest': return ingest(t, started);
      case 'deliver': return schedule(t.changes).then(() => deliver(t, started));
      case 'round': return schedule(t.changes).then(() => round(t, started));
      case 'snapshot': return snapshot();
      case 'info': return info();
      case 'state': return state(t);
      case 'context': return context(t);
      default: {
        const never: never = t;
        throw new Error(`unknown task ${JSON.stringify(never)}`);
      }
    }
  };
  return async (t: ShardTask): Promise<ShardResult> => {
    const started = performance.now();
    try {
      return await run(t, started);
    } finally {
      busy += performance.now() - started;
    }
  };
}
