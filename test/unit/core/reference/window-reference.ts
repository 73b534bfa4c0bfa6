// Naive references for thresholds and correlations: recompute everything from the full
// history at every step, no incremental state, no buffers.
import type { AnyEvent } from '../../../../src/events/types.ts';
import type { CorrelationRule, MeasureSpec, ThresholdRule } from '../../../../src/core/rule-types.ts';
import { processingOrder } from './sequence-reference.ts';

export interface RefAlert {
  readonly steps: Record<string, string[]>;
  readonly at: number;
  readonly aggregates?: Record<string, number>;
}

function naiveAggregate(m: MeasureSpec<AnyEvent>, evs: readonly AnyEvent[]): number {
  const xs = (f: (e: AnyEvent) => number): number[] => evs.map(f);
  switch (m.op) {
    case 'count': return evs.length;
    case 'sum': return xs(m.value).reduce((a, b) => a + b, 0);
    case 'avg': return xs(m.value).reduce((a, b) => a + b, 0) / evs.length;
    case 'min': return Math.min(...xs(m.value));
    case 'max': return Math.max(...xs(m.value));
    case 'distinct': return new Set(evs.map(m.value)).size;
    case 'stddev': {
      const v = xs(m.value);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    }
    case 'ewma': return xs(m.value).reduce((acc, x, i) => (i === 0 ? x : m.alpha * x + (1 - m.alpha) * acc), NaN);
  }
}

export function referenceThreshold(rule: ThresholdRule, arrival: readonly AnyEvent[]): RefAlert[] {
  const all = processingOrder(arrival);
  const maxTs = all.reduce((m, e) => Math.max(m, e.ts), -Infinity);
  const evs = all.filter((e) => e.kind === rule.on && (rule.where === undefined || rule.where(e, undefined)));
  const decide = (group: AnyEvent[], at: number): RefAlert | null => {
    const agg: Record<string, number> = {};
    for (const [name, m] of Object.entries(rule.measures)) agg[name] = naiveAggregate(m, group);
    return rule.when(agg, undefined) ? { steps: { window: group.map((e) => e.id) }, at, aggregates: agg } : null;
  };
  const out: RefAlert[] = [];
  const w = rule.window;
  if (w.type === 'tumbling') {
    const size = w.size as number;
    const starts = [...new Set(evs.map((e) => Math.floor(e.ts / size) * size))].sort((a, b) => a - b);
    for (const s of starts) {
      if (s + size > maxTs) continue;
      const a = decide(evs.filter((e) => e.ts >= s && e.ts < s + size), s + size - 1);
      if (a) out.push(a);
    }
  } else if (w.type === 'session') {
    const gap = w.gap as number;
    let cur: AnyEvent[] = [];
    const close = (): void => {
      const lastTs = (cur[cur.length - 1] as AnyEvent).ts;
      if (lastTs + gap < maxTs) {
        const a = decide(cur, lastTs + gap);
        if (a) out.push(a);
      }
    };
    for (const e of evs) {
      if (cur.length > 0 && e.ts - (cur[cur.length - 1] as AnyEvent).ts > gap) {
        close();
        cur = [];
      }
      cur.push(e);
    }
    if (cur.length > 0) close();
  } else {
    const size = w.size as number;
    let consumedUpTo = -1;
    evs.forEach((e, i) => {
      const group = evs.filter((x, j) => j <= i && j > consumedUpTo && x.ts > e.ts - size);
      const a = decide(group, e.ts);
      if (a) {
        out.push(a);
        // For a window, skip-overlapping is skip-past-last-event: the match is every event in it.
        if (rule.skip !== 'no-skip') consumedUpTo = i;
      }
    });
  }
  return out;
}

export function referenceCorrelation(rule: CorrelationRule, arrival: readonly AnyEvent[]): RefAlert[] {
  const evs = processingOrder(arrival).filter((e) => rule.roles.some((r) => r.kind === e.kind));
  const within = rule.within as number;
  const roleOk = (j: number, e: AnyEvent): boolean => {
    const r = rule.roles[j];
    return r !== undefined && r.kind === e.kind && (r.where === undefined || r.where(e, undefined));
  };
  const out: RefAlert[] = [];
  let consumedUpTo = -1;
  /** skip-overlapping: events already in an alert. */
  const inAlert = new Set<number>();
  evs.forEach((e, i) => {
    const usable = (j: number, x: number): boolean => x > consumedUpTo && !inAlert.has(x) && x < i && roleOk(j, evs[x] as AnyEvent) && (evs[x] as AnyEvent).ts >= e.ts - within;
    for (let r = 0; r < rule.roles.length; r++) {
      if (!roleOk(r, e)) continue;
      const chosen: number[] = [];
      chosen[r] = i;
      let complete = true;
      if (rule.order === 'ordered') {
        if (r !== rule.roles.length - 1) continue;
        let before = i;
        for (let j = r - 1; j >= 0 && complete; j--) {
          let pick = -1;
          for (let x = before - 1; x >= 0; x--) if (usable(j, x)) { pick = x; break; }
          if (pick < 0) complete = false;
          else { chosen[j] = pick; before = pick; }
        }
      } else {
        const used = new Set([i]);
        for (let j = 0; j < rule.roles.length && complete; j++) {
          if (j === r) continue;
          let pick = -1;
          for (let x = i - 1; x >= 0; x--) if (!used.has(x) && usable(j, x)) { pick = x; break; }
          if (pick < 0) complete = false;
          else { chosen[j] = pick; used.add(pick); }
        }
      }
      if (!complete) continue;
      out.push({ steps: Object.fromEntries(rule.roles.map((role, j) => [role.name, [(evs[chosen[j] as number] as AnyEvent).id]])), at: e.ts });
      if (rule.skip === 'skip-past-last-event') consumedUpTo = i;
      if (rule.skip === 'skip-overlapping') for (const x of chosen) inAlert.add(x as number);
      break;
    }
  });
  return out;
}
