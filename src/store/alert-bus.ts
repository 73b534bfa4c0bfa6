// In-process fan-out of newly stored alerts to live subscribers (the SSE stream).
import type { AlertSummary } from './alert-store.ts';

export class AlertBus {
  private readonly subscribers = new Set<(a: AlertSummary) => void>();

  publish(alert: AlertSummary): void {
    for (const s of this.subscribers) s(alert);
  }

  /** Returns the unsubscribe function. */
  subscribe(fn: (a: AlertSummary) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  get size(): number {
    return this.subscribers.size;
  }
}
