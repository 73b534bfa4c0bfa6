// The demo's replay loop: the fixture through the engine, alerts into the store (and, when new,
// onto the live stream), latency recorded (alert latency, end to end, batches; the engine's
// probe times sampled rule evaluations), optionally paced (`--live`), with progress lines at
// each quarter of the fixture, and stoppable between two events.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Alert } from '../core/alert.ts';
import type { Engine } from '../core/engine/index.ts';
import { readEvents } from '../io/read-events.ts';
import type { LatencyRecorder } from '../metrics/latency.ts';
import type { RecentKeyIssues } from '../explain/recent.ts';
import type { AlertBus } from '../store/alert-bus.ts';
import { newAlertSummary } from '../store/alert-store.ts';
import type { AlertStore } from '../store/alert-store.ts';

export interface ReplayProgress {
  events: number;
  inputErrors: number;
  /** The fixture's event count when its labels say it, else null. */
  readonly total: number | null;
  readonly alerts: Alert[];
  done: boolean;
}

export interface DemoReplayDeps {
  readonly fixture: string;
  readonly engine: Engine;
  readonly store: AlertStore;
  readonly bus: AlertBus;
  readonly latency: LatencyRecorder;
  readonly recent: RecentKeyIssues;
  /** Events per second; 0 replays as fast as possible. */
  readonly live: number;
  readonly print: (line: string) => void;
  readonly stopped: () => boolean;
}

const fmt = (n: number): string => n.toLocaleString('en');

/** The line printed at each quarter of a fixture of known size. */
export function progressLine(p: Pick<ReplayProgress, 'events' | 'total' | 'alerts'>): string {
  const of = p.total === null ? '' : ` of ${fmt(p.total)}`;
  const pct = p.total === null ? '' : ` (${Math.round((p.events / p.total) * 100)}%)`;
  return `replaying: ${fmt(p.events)}${of} events${pct}, ${p.alerts.length} alerts so far`;
}

export async function replayFixture(d: DemoReplayDeps, p: ReplayProgress): Promise<void> {
  const { engine, store, latency } = d;
  const collect = (pushedAt: number): void => {
    for (const f of engine.drain()) {
      if (f.kind !== 'alert') {
        d.recent.record(f, engine.watermark);
        continue;
      }
      const a = f.alert;
      const storedAt = Date.now();
      latency.recordRule(a.ruleId, (performance.now() - pushedAt) * 1000);
      p.alerts.push(a);
      if (store.insert(a, storedAt)) {
        latency.recordEndToEnd((performance.now() - pushedAt) * 1000);
        d.bus.publish(newAlertSummary(a, storedAt));
      }
    }
  };
  const quarters = p.total === null ? [] : [1, 2, 3].map((q) => Math.floor((p.total as number) * q / 4));
  const started = performance.now();
  const pace = d.live > 0 ? 1000 / d.live : 0;
  let batchStart = performance.now();
  for await (const item of readEvents(d.fixture)) {
    if (d.stopped()) return;
    if ('error' in item) {
      p.inputErrors++;
      continue;
    }
    const t0 = performance.now();
    engine.push(item.event);
    collect(t0);
    p.events++;
    if (quarters.includes(p.events)) d.print(progressLine(p));
    if ((p.events & 255) === 0) {
      latency.recordBatch((performance.now() - batchStart) * 1000);
      batchStart = performance.now();
      if (pace > 0) {
        const wait = started + p.events * pace - performance.now();
        if (wait > 0) await sleep(wait);
      }
    }
  }
  engine.flush();
  collect(performance.now());
  p.done = true;
}
