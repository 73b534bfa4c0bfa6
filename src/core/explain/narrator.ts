// The observer explain runs with: turns the engine's reports (observer.ts) into a timeline
// (timeline.ts). Evaluations of traced predicates attach to the report that follows them.
import type { PartialMatchView } from '../state-view.ts';
import type { Note, Observer, Partial } from './observer.ts';
import type { Entry, Happening } from './timeline.ts';
import { trace } from './trace.ts';
import type { Evaluation } from './trace.ts';

interface OpenEntry {
  kind: Entry['kind'];
  at: number;
  event: Entry['event'];
  watermark: number | null;
  happened: Happening[];
}

export class Narrator implements Observer {
  readonly entries: OpenEntry[] = [];
  /** The last view of each numbered partial match. */
  readonly views = new Map<number, PartialMatchView>();
  private readonly ids = new Map<object, number>();
  private nextId = 1;
  private evaluations: Evaluation[] = [];
  /** Alerts a sequence emitted, waiting for the `decided` report that names their matches. */
  private unnamed: { index: number; entry: OpenEntry }[] = [];

  evaluate(label: string, fn: (...args: never[]) => unknown, args: readonly (readonly [string, unknown])[]): boolean {
    const t = trace(label, fn, args);
    this.evaluations.push(t.evaluation);
    if (t.threw) throw t.thrown;
    return t.evaluation.result;
  }

  private take(): Evaluation[] {
    const out = this.evaluations;
    this.evaluations = [];
    return out;
  }

  private current(): OpenEntry {
    let e = this.entries[this.entries.length - 1];
    if (e === undefined) {
      // Reports before any event (a restored engine's timer): a frame of their own.
      e = { kind: 'timer', at: -Infinity, event: null, watermark: null, happened: [] };
      this.entries.push(e);
    }
    return e;
  }

  private add(h: Happening): void {
    this.current().happened.push(h);
  }

  /** The number of a partial match, registered (with a new number) when first seen. */
  private id(p: Partial, inherit?: number): number {
    let n = this.ids.get(p.ref);
    if (n === undefined) {
      n = inherit ?? this.nextId++;
      this.ids.set(p.ref, n);
    }
    this.views.set(n, p.view);
    return n;
  }

  private stepOfLast(p: Partial, eventId: string | undefined): { step: string; count: number } {
    for (const s of p.view.steps) if (s.events.some((e) => e.id === eventId)) return { step: s.step, count: s.events.length };
    return { step: '', count: 0 };
  }

  note(n: Note): void {
    if (n.kind === 'event' || n.kind === 'late' || n.kind === 'timer' || n.kind === 'evicted') this.unnamed = [];
    switch (n.kind) {
      case 'event':
        this.entries.push({ kind: 'event', at: n.event.ts, event: n.event, watermark: null, happened: [] });
        return;
      case 'late':
        this.entries.push({ kind: 'late', at: n.event.ts, event: n.event, watermark: n.watermark, happened: [] });
        return;
      case 'timer':
        this.entries.push({ kind: 'timer', at: n.at, event: null, watermark: null, happened: [] });
        return;
      case 'evicted':
        this.entries.push({ kind: 'evicted', at: n.lastSeen, event: null, watermark: null, happened: [] });
        return;
      case 'alert': {
        const entry = this.current();
        this.unnamed.push({ index: entry.happened.length, entry });
        entry.happened.push({ kind: 'alert', match: null, id: n.alert.id, message: n.alert.message, events: n.alert.matched.flatMap((s) => s.events.map((m) => m.event.id)) });
        return;
      }
      case 'error':
        this.add({ kind: 'error', error: n.error });
        return;
      case 'run': {
        const evaluations = this.take();
        const match = this.id(n.run);
        if (n.expired) {
          this.add({ kind: 'expired', match, deadline: n.run.view.deadline });
          return;
        }
        const eventId = this.current().event?.id;
        n.took.forEach((p, i) => {
          const moved = i === 0 && !n.stays;
          const id = this.id(p, moved ? match : undefined);
          const { step, count } = this.stepOfLast(p, eventId);
          this.add({ kind: 'took', match: id, from: moved ? null : match, step, count, evaluations: i === 0 ? evaluations : [] });
          if (p.view.status === 'complete') this.add({ kind: 'completed', match: id });
        });
        if (n.took.length > 0) return;
        if (n.stays) {
          if (evaluations.length > 0) this.add({ kind: 'waits', match, waitsFor: n.run.view.waitsFor, blocked: n.run.view.blocked, evaluations });
        } else {
          this.add({ kind: 'dropped', match, reason: n.dropped ?? 'strict', evaluations });
        }
        return;
      }
      case 'open': {
        const evaluations = this.take();
        if (n.opened === null) {
          this.add({ kind: 'not-opened', step: n.step, evaluations });
          return;
        }
        const match = this.id(n.opened);
        this.add({ kind: 'opened', match, step: n.step, evaluations });
        if (n.opened.view.status === 'complete') this.add({ kind: 'completed', match });
        return;
      }
      case 'pending':
        this.add({ kind: 'pending', match: this.id(n.run), deadline: n.run.view.deadline, absence: n.absence });
        return;
      case 'absence':
        this.add({ kind: 'absence', match: this.id(n.run), step: n.step, matched: n.matched, evaluations: this.take() });
        return;
      case 'overflow':
        this.add({ kind: 'overflow', matches: n.dropped.map((p) => this.id(p)) });
        return;
      case 'decided': {
        let a = 0;
        for (const d of n.decided) {
          const match = this.id(d.run);
          if (d.emitted) {
            const slot = this.unnamed[a++];
            const h = slot?.entry.happened[slot.index];
            if (slot !== undefined && h?.kind === 'alert') slot.entry.happened[slot.index] = { ...h, match };
          } else {
            this.add({ kind: 'suppressed', match, strategy: n.strategy });
          }
        }
        this.unnamed = [];
        for (const p of n.discarded) this.add({ kind: 'discarded', match: this.id(p), strategy: n.strategy });
        return;
      }
      case 'filtered':
        this.add({ kind: 'filtered', evaluations: this.take() });
        return;
      case 'window':
        this.add({ kind: 'window', window: n.window, left: n.left.map((e) => e.id), evaluations: this.take() });
        return;
      case 'window-decided':
        this.add({ kind: 'window-decided', window: n.window, fired: n.fired, consumed: n.consumed, evaluations: this.take() });
        return;
      case 'window-overflow':
        this.add({ kind: 'window-overflow', dropped: n.dropped });
        return;
      case 'candidate':
        this.add({ kind: 'candidate', roles: n.roles, evaluations: this.take() });
        return;
      case 'no-set':
        this.add({ kind: 'no-set', role: n.role, missing: n.missing });
        return;
      case 'consumed':
        this.add({ kind: 'consumed', events: n.events.map((e) => e.id) });
        return;
      default: {
        const never: never = n;
        throw new Error(`unknown report ${JSON.stringify(never)}`);
      }
    }
  }
}
