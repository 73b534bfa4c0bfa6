// Replay: runs rules over a finite stream of events on the same core the service uses, and
// summarises what happened. Deterministic: the same events give the same alerts in the same
// order (the engine is fed one event at a time; `batchSize` only sets how often effects are
// collected, and a test proves it changes nothing). With `maxAheadMs`, events too far ahead of
// their stream (the file: core/time-guard.ts, file rule) are quarantined before they reach the
// engine, so one event dated 2099 cannot make the rest of the file late; each is decided once
// the next AHEAD_WINDOW events are read, which delays nothing but the order effects are collected in.
import type { Alert } from '../core/alert.ts';
import type { Effect } from '../core/effects.ts';
import { createEngine } from '../core/engine/index.ts';
import type { EngineOptions, KeySpaceStats, RuleInfo } from '../core/engine/index.ts';
import type { AnyRule } from '../core/rule-types.ts';
import { StreamAheadGuard } from '../core/time-guard.ts';
import type { AheadDecision } from '../core/time-guard.ts';
import type { AnyEvent, SourceRef } from '../events/types.ts';

/** One record of input: an event, or a record that could not be read (kept, counted, reported). */
export type ReplayItem =
  | { readonly event: AnyEvent; readonly source?: SourceRef }
  | { readonly error: { readonly code: string; readonly message: string } };

export interface ReplayOptions {
  readonly rules: readonly AnyRule[];
  readonly engine?: Partial<EngineOptions>;
  /** Events pushed between two collections of effects (default 1024). */
  readonly batchSize?: number;
  readonly onAlert?: (alert: Alert) => void;
  /** Every non-alert effect (late events, overflow, rule errors, evictions). */
  readonly onEffect?: (effect: Exclude<Effect, { kind: 'alert' }>) => void;
  readonly onInputError?: (error: { readonly code: string; readonly message: string }) => void;
  /** Quarantine events more than this ahead of their stream (the file rule of core/time-guard.ts); undefined: every event goes in. */
  readonly maxAheadMs?: number;
  /** Each quarantined event, with what it was compared with. */
  readonly onQuarantine?: (d: AheadDecision<AnyEvent>) => void;
  /** Called about every `progressEvery` events with the count so far. */
  readonly onProgress?: (events: number) => void;
  readonly progressEvery?: number;
  /** Wall clock in ms for throughput figures (default performance.now). */
  readonly clock?: () => number;
}

export interface ReplaySummary {
  readonly events: number;
  readonly inputErrors: number;
  /** Events quarantined as too far ahead of their stream (maxAheadMs), not processed. */
  readonly futureEvents: number;
  readonly late: number;
  readonly lateAccepted: number;
  readonly alerts: number;
  readonly alertsByRule: Readonly<Record<string, number>>;
  readonly ruleErrors: number;
  readonly overflowDropped: number;
  /** Keys evicted to stay within the key budget: idle (context only) and active (state lost), from the `evicted` effects. */
  readonly evicted: { readonly idle: number; readonly active: number };
  /** Per key space: keys held at the end, the budget, evictions. */
  readonly keySpaces: readonly KeySpaceStats[];
  readonly firstEventTime: string | null;
  readonly lastEventTime: string | null;
  readonly wallMs: number;
  readonly eventsPerSec: number;
  readonly rules: readonly RuleInfo[];
}

/** Items one by one, or in batches (readEventsAhead): the same result either way. */
export type ReplayInput = AsyncIterable<ReplayItem | readonly ReplayItem[]> | Iterable<ReplayItem | readonly ReplayItem[]>;

export async function replay(input: ReplayInput, options: ReplayOptions): Promise<ReplaySummary> {
  const clock = options.clock ?? (() => performance.now());
  const engine = createEngine(options.rules, options.engine ?? {});
  const batchSize = Math.max(1, options.batchSize ?? 1024);
  const progressEvery = Math.max(1, options.progressEvery ?? 50_000);
  const alertsByRule: Record<string, number> = Object.fromEntries(options.rules.map((r) => [r.id, 0]));
  let alerts = 0;
  let ruleErrors = 0;
  let evictedIdle = 0;
  let evictedActive = 0;
  let inputErrors = 0;
  let futureEvents = 0;
  let events = 0;
  let minTs = Infinity;
  let maxTs = -Infinity;

  const collect = (): void => {
    for (const f of engine.drain()) {
      if (f.kind === 'alert') {
        alerts++;
        alertsByRule[f.alert.ruleId] = (alertsByRule[f.alert.ruleId] ?? 0) + 1;
        options.onAlert?.(f.alert);
      } else {
        if (f.kind === 'rule-error') ruleErrors++;
        else if (f.kind === 'evicted') {
          evictedIdle += f.idle.length;
          evictedActive += f.active.length;
        }
        options.onEffect?.(f);
      }
    }
  };

  const started = clock();
  let inBatch = 0;
  const process = (e: AnyEvent, source: SourceRef | null): void => {
    engine.push(e, source);
    events++;
    if (e.ts < minTs) minTs = e.ts;
    if (e.ts > maxTs) maxTs = e.ts;
    if (++inBatch >= batchSize) {
      collect();
      inBatch = 0;
    }
    if (events % progressEvery === 0) options.onProgress?.(events);
  };
  const guard = options.maxAheadMs === undefined ? undefined : new StreamAheadGuard<{ event: AnyEvent; source: SourceRef | null }>(options.maxAheadMs);
  const decided = (ds: readonly AheadDecision<{ event: AnyEvent; source: SourceRef | null }>[]): void => {
    for (const d of ds) {
      if (!d.quarantined) process(d.item.event, d.item.source);
      else {
        futureEvents++;
        options.onQuarantine?.({ ...d, item: d.item.event });
      }
    }
  };
  const one = (item: ReplayItem): void => {
    if ('error' in item) {
      inputErrors++;
      options.onInputError?.(item.error);
      return;
    }
    if (guard === undefined) process(item.event, item.source ?? null);
    else decided(guard.push(item.event.ts, { event: item.event, source: item.source ?? null }));
  };
  for await (const item of input) {
    if (isBatch(item)) for (let i = 0; i < item.length; i++) one(item[i] as ReplayItem);
    else one(item);
  }
  if (guard !== undefined) decided(guard.end());
  engine.flush();
  collect();
  const wallMs = clock() - started;
  const stats = engine.stats();
  const rules = engine.rules();
  return {
    events, inputErrors, futureEvents, late: stats.late, lateAccepted: stats.lateAccepted, alerts, alertsByRule, ruleErrors,
    overflowDropped: rules.reduce((n, r) => n + r.stats.overflowDropped, 0),
    evicted: { idle: evictedIdle, active: evictedActive }, keySpaces: stats.spaces,
    firstEventTime: events > 0 ? new Date(minTs).toISOString() : null,
    lastEventTime: events > 0 ? new Date(maxTs).toISOString() : null,
    wallMs: Math.round(wallMs), eventsPerSec: wallMs > 0 ? Math.round((events / wallMs) * 1000) : 0,
    rules,
  };
}

const isBatch = (x: ReplayItem | readonly ReplayItem[]): x is readonly ReplayItem[] => Array.isArray(x);

/** One alert as a JSON line: stable field order, no wall-clock fields (replays diff cleanly). */
export function alertLine(alert: Alert): string {
  return JSON.stringify(alert);
}
