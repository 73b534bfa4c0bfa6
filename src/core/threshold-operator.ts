// Windowed aggregates per (rule, key) and a condition on them.
// - tumbling: windows [k*size, (k+1)*size) aligned to the epoch, decided when the
//   watermark passes the window end;
// - sliding (exact, event time): after every event, over (t - size, t];
// - session: events closer than `gap` form one session, decided when the watermark passes
//   last + gap.
// Aggregates are computed from the window's events in one pass when a window is decided
// (exact, and simple to check against a reference); each window holds at most
// maxWindowEvents events, the oldest dropped and counted beyond that. An explain observer,
// when given, hears every window change and decision, and `where` / `when` run traced.
import type { MatchedEvent, MatchedStep } from './alert.ts';
import type { MeasureSpec, ThresholdRule } from './rule-types.ts';
import type { AnyEvent } from '../events/types.ts';
import type { Observer } from './explain/observer.ts';
import { Match } from './runtime.ts';
import type { Ingested, Operator, OperatorHost, RuleKeyState, StateBounds } from './runtime.ts';
import type { OperatorView, WindowView } from './state-view.ts';

/** An open window [start, end): a session's end moves with each event it takes. */
class Window {
  readonly start: number;
  end: number;
  readonly items: Ingested[];
  constructor(start: number, end: number, items: Ingested[]) {
    this.start = start;
    this.end = end;
    this.items = items;
  }
}

export class ThresholdState {
  /** Open windows, oldest first (tumbling and session). */
  readonly windows: Window[];
  /** Sliding buffer: the events in (t - size, t]. */
  buf: Ingested[];
  constructor(windows: Window[], buf: Ingested[]) {
    this.windows = windows;
    this.buf = buf;
  }
}

/** ThresholdState after a structured clone: its fields, without the classes. */
interface ThresholdData {
  readonly windows: readonly { readonly start: number; readonly end: number; readonly items: readonly unknown[] }[];
  readonly buf: readonly unknown[];
}

/** Computes every measure over the events, in time order. */
export function aggregate(measures: readonly (readonly [string, MeasureSpec<AnyEvent>])[], items: readonly Ingested[]): Record<string, number> {
  const out: Record<string, number> = {};
  const n = items.length;
  for (const [name, m] of measures) {
    switch (m.op) {
      case 'count': out[name] = n; break;
      case 'sum': case 'avg': {
        let s = 0;
        for (const it of items) s += m.value(it.event);
        out[name] = m.op === 'sum' ? s : n === 0 ? NaN : s / n;
        break;
      }
      case 'min': case 'max': {
        let v = m.op === 'min' ? Infinity : -Infinity;
        for (const it of items) {
          const x = m.value(it.event);
          v = m.op === 'min' ? Math.min(v, x) : Math.max(v, x);
        }
        out[name] = n === 0 ? NaN : v;
        break;
      }
      case 'stddev': {
        // Welford: numerically stable population standard deviation.
        let mean = 0;
        let m2 = 0;
        let k = 0;
        for (const it of items) {
          const x = m.value(it.event);
          k++;
          const d = x - mean;
          mean += d / k;
          m2 += d * (x - mean);
        }
        out[name] = k === 0 ? NaN : Math.sqrt(m2 / k);
        break;
      }
      case 'distinct': {
        const seen = new Set<string | number>();
        for (const it of items) seen.add(m.value(it.event));
        out[name] = seen.size;
        break;
      }
      case 'ewma': {
        let v = NaN;
        for (const it of items) {
          const x = m.value(it.event);
          v = Number.isNaN(v) ? x : m.alpha * x + (1 - m.alpha) * v;
        }
        out[name] = v;
        break;
      }
      default: {
        const never: never = m;
        throw new Error(`unknown measure ${JSON.stringify(never)}`);
      }
    }
  }
  return out;
}

/** Aggregates as JSON carries them (NaN, the average of nothing, becomes null). */
function jsonAggregates(agg: Readonly<Record<string, number>>): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(agg)) out[k] = Number.isFinite(v) ? v : null;
  return out;
}

export function thresholdOperator(rule: ThresholdRule, bounds: StateBounds, obs: Observer | undefined = undefined): Operator {
  const measures = Object.entries(rule.measures);
  const win = rule.window;
  const where = obs === undefined || rule.where === undefined ? rule.where
    : (e: AnyEvent, ctx: unknown): boolean => obs.evaluate('where', rule.where as (e: AnyEvent, ctx: unknown) => boolean, [['e', e], ['ctx', ctx]]);
  const when = obs === undefined ? rule.when
    : (a: Readonly<Record<string, number>>, ctx: unknown): boolean => obs.evaluate('when', rule.when, [['a', a], ['ctx', ctx]]);
  /** Explain mode and state views: a window with its aggregates. */
  const viewOf = (items: readonly Ingested[], start: number, end: number): WindowView =>
    ({ start, end, events: items.map((it) => it.event), aggregates: jsonAggregates(aggregate(measures, items)) });
  // Explain mode only: the reports, out of the hot functions so that they stay small.
  const noteWindow = (items: readonly Ingested[], start: number, end: number, left: readonly Ingested[]): void =>
    (obs as Observer).note({ kind: 'window', window: viewOf(items, start, end), left: left.map((it) => it.event) });
  const noteDecided = (items: readonly Ingested[], start: number, end: number, fired: boolean): void =>
    (obs as Observer).note({ kind: 'window-decided', window: viewOf(items, start, end), fired, consumed: fired && win.type === 'sliding' && consume });
  // skip-past-last-event and skip-overlapping coincide for a window: its match is every event
  // in it, so after an alert none of them counts again.
  const consume = rule.skip !== 'no-skip';

  function decide(rs: RuleKeyState, items: readonly Ingested[], start: number, end: number, detectedAt: number, host: OperatorHost): boolean {
    if (items.length === 0) return false;
    const agg = aggregate(measures, items);
    const ctx = host.context(rs);
    const fired = when(agg, ctx);
    if (obs !== undefined) noteDecided(items, start, end, fired);
    if (!fired) return false;
    const events: MatchedEvent[] = [];
    for (let i = 0; i < items.length; i++) {
      const it = items[i] as Ingested;
      events.push({ event: it.event, source: it.source });
    }
    const matched: MatchedStep[] = [{ step: 'window', events }];
    const message = rule.message ? rule.message(agg, ctx, rs.key) : `${rule.id}: ${rule.description} (key ${rs.key})`;
    const first = (items[0] as Ingested).event.ts;
    const lastTs = (items[items.length - 1] as Ingested).event.ts;
    host.alert(rs, new Match(matched, first, lastTs, detectedAt, agg, message, `${win.type}:${start}:${end}`));
    return true;
  }

  function push(rs: RuleKeyState, items: Ingested[], item: Ingested, host: OperatorHost): void {
    items.push(item);
    if (items.length > bounds.maxWindowEvents) {
      items.shift();
      if (obs !== undefined) obs.note({ kind: 'window-overflow', dropped: 1 });
      host.overflow(rs, 1);
    }
  }

  function scheduleEarliest(rs: RuleKeyState, state: ThresholdState, host: OperatorHost): void {
    // Timers fire when the watermark is past `at`; a window [s, e) is complete once it passes e - 1.
    const w = state.windows[0];
    if (w !== undefined) host.schedule(rs, w.end - 1);
  }

  return {
    create: (): ThresholdState => new ThresholdState([], []),

    restore(data, reviver): ThresholdState {
      const d = data as ThresholdData;
      const windows: Window[] = [];
      for (const w of d.windows) windows.push(new Window(w.start, w.end, reviver.list(w.items)));
      return new ThresholdState(windows, reviver.list(d.buf));
    },

    onEvent(rs, item, _seq, host) {
      const state = rs.op as ThresholdState;
      const e = item.event;
      if (where !== undefined && !where(e, host.context(rs))) {
        if (obs !== undefined) obs.note({ kind: 'filtered' });
        return;
      }
      switch (win.type) {
        case 'tumbling': {
          const size = win.size as number;
          const start = Math.floor(e.ts / size) * size;
          let w = state.windows.find((x) => x.start === start);
          if (w === undefined) {
            w = new Window(start, start + size, []);
            state.windows.push(w);
            state.windows.sort((a, b) => a.start - b.start);
          }
          push(rs, w.items, item, host);
          if (obs !== undefined) noteWindow(w.items, w.start, w.end, []);
          scheduleEarliest(rs, state, host);
          return;
        }
        case 'session': {
          const gap = win.gap as number;
          const open = state.windows[state.windows.length - 1];
          if (open !== undefined && e.ts - (open.items[open.items.length - 1] as Ingested).event.ts <= gap) {
            push(rs, open.items, item, host);
            open.end = e.ts + gap + 1;
          } else {
            state.windows.push(new Window(e.ts, e.ts + gap + 1, [item]));
          }
          if (obs !== undefined) {
            const w = state.windows[state.windows.length - 1] as Window;
            noteWindow(w.items, w.start, w.end, []);
          }
          scheduleEarliest(rs, state, host);
          return;
        }
        case 'sliding': {
          const size = win.size as number;
          const buf = state.buf;
          let drop = 0;
          while (drop < buf.length && (buf[drop] as Ingested).event.ts <= e.ts - size) drop++;
          const left = obs === undefined ? undefined : buf.slice(0, drop);
          if (drop > 0) buf.splice(0, drop);
          push(rs, buf, item, host);
          if (left !== undefined) noteWindow(buf, e.ts - size + 1, e.ts + 1, left);
          if (decide(rs, buf, e.ts - size + 1, e.ts + 1, e.ts, host) && consume) state.buf = [];
          return;
        }
        default: {
          const never: never = win;
          throw new Error(`unknown window ${JSON.stringify(never)}`);
        }
      }
    },

    onTimer(rs, at, host) {
      const state = rs.op as ThresholdState;
      while (state.windows.length > 0 && (state.windows[0] as Window).end - 1 <= at) {
        const w = state.windows.shift() as Window;
        decide(rs, w.items, w.start, w.end, w.end - 1, host);
      }
      scheduleEarliest(rs, state, host);
    },

    prune(rs, horizon) {
      const state = rs.op as ThresholdState;
      if (win.type === 'sliding') {
        const size = win.size as number;
        state.buf = state.buf.filter((it) => it.event.ts > horizon - size);
      }
      return state.windows.length === 0 && state.buf.length === 0;
    },

    held(rs) {
      const state = rs.op as ThresholdState;
      let n = state.buf.length;
      for (const w of state.windows) n += w.items.length;
      return n;
    },

    inspect(rs, horizon): OperatorView {
      const state = rs.op as ThresholdState;
      const windows = state.windows.map((w) => viewOf(w.items, w.start, w.end));
      if (win.type === 'sliding') {
        // What prune would drop is not shown: the view does not depend on when sweeps ran.
        const size = win.size as number;
        const buf = state.buf.filter((it) => it.event.ts > horizon - size);
        const lastTs = (buf[buf.length - 1] as Ingested | undefined)?.event.ts;
        if (lastTs !== undefined) windows.push(viewOf(buf, lastTs - size + 1, lastTs + 1));
      }
      return { kind: 'threshold', windows };
    },
  };
}
