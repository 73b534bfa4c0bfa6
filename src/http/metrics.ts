// Prometheus metrics, read at scrape time from whatever runs the rules (the demo's engine,
// the service's pipeline), the store and the latency recorders: nothing is updated on the
// hot path for them. One metric per name; what varies (rule, dead-letter code, shard) is a
// label, never part of the name. Monotone values are counters (`_total`), levels are gauges,
// latencies are histograms (`_bucket`, `_count`, `_sum`: src/metrics/prom-histograms.ts).
// Every sample carries `cepheus_instance`, the instance's name, so series of several instances
// stay apart and add up.
import { Counter, Gauge, Registry } from 'prom-client';
import type { LatencyRecorder } from '../metrics/latency.ts';
import { histogramText, latencyFamilies } from '../metrics/prom-histograms.ts';
import type { AlertStore } from '../store/alert-store.ts';
import type { RuleControl } from './rule-control.ts';

/** Monotone counts since the process started: exported as Prometheus counters. */
export const COUNTERS = {
  events: ['cepheus_events_total', 'Events read and processed (committed, in the service)'],
  alerts: ['cepheus_alerts_total', 'Alerts raised (committed to the alerts topic, in the service)'],
  late: ['cepheus_late_events_total', 'Events behind the watermark by more than the allowed lateness, not processed'],
  lateAccepted: ['cepheus_late_accepted_events_total', 'Events behind the watermark within the allowed lateness, processed'],
  inputErrors: ['cepheus_input_errors_total', 'Records that could not be read as events (file replays)'],
  commits: ['cepheus_commits_total', 'Kafka transactions committed'],
  checkpoints: ['cepheus_checkpoints_total', 'Checkpoints of the engine state committed'],
  restores: ['cepheus_restores_total', 'Times the engine state was restored from a checkpoint'],
  recoveredEvents: ['cepheus_recovered_events_total', 'Events re-read after a restore, outputs suppressed'],
  suppressedOutputs: ['cepheus_suppressed_outputs_total', 'Outputs of re-read events not written again (already committed)'],
  backpressurePauses: ['cepheus_backpressure_pauses_total', 'Times the consumer was paused because the shards were busy'],
  rounds: ['cepheus_rounds_total', 'Rounds of records sent to the shard threads'],
  roundEvents: ['cepheus_round_events_total', 'Records sent to the shard threads in rounds'],
  latencyUnmeasured: ['cepheus_latency_unmeasured_total', 'Alerts whose end-to-end latency could not be measured'],
  storeRecords: ['cepheus_store_feed_records_total', 'Alerts-topic records read by the alert store feed'],
  deadLettersByReference: ['cepheus_dead_letters_by_reference_total', 'Dead letters and late events too big for their topic, written by reference (coordinates, size, first bytes)'],
  alertsTrimmed: ['cepheus_alerts_trimmed_total', 'Alerts too big for the alerts topic, written with fewer matched events'],
  restoreFailures: ['cepheus_restore_failures_total', 'Restore attempts that failed (retried with growing waits)'],
} as const satisfies Readonly<Record<string, readonly [string, string]>>;

/** Levels that go up and down: exported as Prometheus gauges. */
export const GAUGES = {
  consumerLag: ['cepheus_consumer_lag_records', "Records behind the partitions' ends, summed over assigned partitions"],
  watermark: ['cepheus_watermark_ms', 'Event-time watermark (ms since the epoch; 0 before the first event)'],
  buffered: ['cepheus_buffered_events', 'Events waiting in the reorder buffer for the watermark'],
  keys: ['cepheus_state_keys', 'Keys holding state, over all key spaces'],
  checkpointBytes: ['cepheus_checkpoint_bytes', 'Compressed size of the last checkpoint'],
  brokerUnreachable: ['cepheus_broker_unreachable', '1 while the broker counts as unreachable (a connection error, then nothing fetched or committed for health.brokerTimeoutMs)'],
  commitFailuresInARow: ['cepheus_commit_failures_in_a_row', 'Commits that failed since the last one that went through'],
} as const satisfies Readonly<Record<string, readonly [string, string]>>;

export type CounterName = keyof typeof COUNTERS;
export type GaugeName = keyof typeof GAUGES;

/** What the runner reports at each scrape; absent values are not exported. */
export interface Signals {
  readonly counters: Partial<Readonly<Record<CounterName, number>>>;
  readonly gauges: Partial<Readonly<Record<GaugeName, number>>>;
  /** Dead letters written, by code. */
  readonly deadLetters?: ReadonlyMap<string, number>;
  /** Failed commits, by cause (too-large, unreachable, other). */
  readonly commitFailures?: ReadonlyMap<string, number>;
  /** Milliseconds each shard thread spent running tasks since it started. */
  readonly shardBusyMs?: readonly number[];
  /** Per key space, summed over shards: keys held, the budget (null: none), keys evicted by it. */
  readonly keySpaces?: readonly KeySpaceSignal[];
}

/** One key space's state and budget (the engine's KeySpaceStats, summed over shards). */
export interface KeySpaceSignal {
  readonly name: string;
  readonly keys: number;
  readonly maxKeys: number | null;
  readonly evictedIdle: number;
  readonly evictedActive: number;
}

export const NO_SIGNALS: Signals = { counters: {}, gauges: {} };

/** A counter whose value is read at scrape time (prom-client counters only go up: reset, then add). */
function collectedCounter(registry: Registry, name: string, help: string, labelNames: readonly string[], read: (set: (labels: Record<string, string>, v: number) => void) => void): void {
  new Counter({
    name, help, labelNames: [...labelNames], registers: [registry],
    collect() {
      this.reset();
      read((labels, v) => this.inc(labels, Math.max(0, v)));
    },
  });
}

export interface Metrics {
  readonly contentType: string;
  /** The Prometheus text: reads the runner's signals once, then every metric. */
  scrape(): Promise<string>;
  readonly registry: Registry;
}

/** The label every sample carries: the instance's name (`cepheus run --instance`; the demo: `demo`). */
export const INSTANCE_LABEL = 'cepheus_instance';

export function createMetrics(rules: RuleControl, store: AlertStore, latency: LatencyRecorder | undefined, signals: () => Signals, instance = 'cepheus'): Metrics {
  const registry = new Registry();
  const defaults = { [INSTANCE_LABEL]: instance };
  registry.setDefaultLabels(defaults);
  let cached: Signals = NO_SIGNALS;
  const perRule = (name: string, help: string, pick: (r: ReturnType<RuleControl['list']>[number]) => number, counter: boolean): void => {
    if (counter) {
      collectedCounter(registry, name, help, ['rule'], (set) => {
        for (const r of rules.list()) set({ rule: r.id }, pick(r));
      });
      return;
    }
    new Gauge({ name, help, labelNames: ['rule'], registers: [registry], collect() {
      for (const r of rules.list()) this.set({ rule: r.id }, pick(r));
    } });
  };
  perRule('cepheus_rule_events_total', 'Events seen by each rule', (r) => r.stats.eventsSeen, true);
  perRule('cepheus_rule_alerts_total', 'Alerts raised by each rule', (r) => r.stats.alerts, true);
  perRule('cepheus_rule_errors_total', 'Predicate, fold or message errors per rule', (r) => r.stats.errors, true);
  perRule('cepheus_rule_overflow_dropped_total', 'Partial matches or window events dropped at the state bound', (r) => r.stats.overflowDropped, true);
  perRule('cepheus_rule_partial_matches', 'Partial matches and window events held', (r) => r.held, false);
  perRule('cepheus_rule_state_keys', 'Keys holding state for each rule', (r) => r.stateKeys, false);
  perRule('cepheus_rule_enabled', '1 when the rule runs, 0 when disabled', (r) => (r.enabled ? 1 : 0), false);
  new Gauge({ name: 'cepheus_alerts_stored', help: 'Alerts in the store', registers: [registry], collect() {
    this.set(store.count());
  } });
  for (const [key, [name, help]] of Object.entries(COUNTERS) as [CounterName, readonly [string, string]][]) {
    collectedCounter(registry, name, help, [], (set) => {
      const v = cached.counters[key];
      if (v !== undefined) set({}, v);
    });
  }
  for (const [key, [name, help]] of Object.entries(GAUGES) as [GaugeName, readonly [string, string]][]) {
    new Gauge({ name, help, registers: [registry], collect() {
      const v = cached.gauges[key];
      if (v !== undefined) this.set(v);
    } });
  }
  collectedCounter(registry, 'cepheus_dead_letters_total', 'Records written to the dead-letter topic, by code', ['code'], (set) => {
    for (const [code, n] of cached.deadLetters ?? []) set({ code }, n);
  });
  collectedCounter(registry, 'cepheus_commit_failures_total', 'Commits (Kafka transactions) that failed, by cause: too-large, unreachable, other', ['cause'], (set) => {
    for (const [cause, n] of cached.commitFailures ?? []) set({ cause }, n);
  });
  new Gauge({ name: 'cepheus_key_space_keys', help: 'Keys held per key space', labelNames: ['key_space'], registers: [registry], collect() {
    for (const s of cached.keySpaces ?? []) this.set({ key_space: s.name }, s.keys);
  } });
  new Gauge({ name: 'cepheus_key_space_max_keys', help: 'Key budget per key space (engine.maxKeys; absent when unbounded)', labelNames: ['key_space'], registers: [registry], collect() {
    for (const s of cached.keySpaces ?? []) if (s.maxKeys !== null) this.set({ key_space: s.name }, s.maxKeys);
  } });
  collectedCounter(registry, 'cepheus_evicted_keys_total', 'Keys evicted to stay within the key budget: idle (context only) or active (partial matches, window events or timers lost)', ['key_space', 'reason'], (set) => {
    for (const s of cached.keySpaces ?? []) {
      set({ key_space: s.name, reason: 'idle' }, s.evictedIdle);
      set({ key_space: s.name, reason: 'active' }, s.evictedActive);
    }
  });
  collectedCounter(registry, 'cepheus_shard_busy_seconds_total', 'Time each shard thread spent running tasks', ['shard'], (set) => {
    (cached.shardBusyMs ?? []).forEach((ms, i) => set({ shard: String(i) }, ms / 1000));
  });
  new Gauge({ name: 'cepheus_main_thread_busy_seconds', help: "Time the main thread's event loop was busy since start", registers: [registry], collect() {
    this.set(performance.eventLoopUtilization().active / 1000);
  } });
  new Gauge({ name: 'cepheus_watermark_delay_seconds', help: 'Wall clock minus the event-time watermark (how far event time trails now); absent before the first event', registers: [registry], collect() {
    const wm = cached.gauges.watermark;
    if (wm !== undefined && wm > 0) this.set((Date.now() - wm) / 1000);
  } });
  new Gauge({ name: 'cepheus_alerts_resolved', help: 'Resolved alerts in the store by rule and disposition (precision = true-positive / (true-positive + false-positive))', labelNames: ['rule', 'disposition'], registers: [registry], collect() {
    this.reset();
    for (const r of store.dispositions()) for (const [disposition, n] of Object.entries(r.counts)) if (n > 0) this.set({ rule: r.ruleId, disposition }, n);
  } });
  return {
    contentType: registry.contentType,
    registry,
    scrape: async () => {
      cached = signals();
      const text = await registry.metrics();
      return latency === undefined ? text : `${text}${histogramText(latencyFamilies(latency), defaults)}`;
    },
  };
}
