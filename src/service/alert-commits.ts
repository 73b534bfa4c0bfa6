// Commit soon after an alert is pending. Alerts become visible only when their transaction
// commits; on the fixed tick (commitIntervalMs, 200 ms) that alone costs 100 ms on average.
// When a round delivers an alert, a commit is started `delayMs` later (rounds done by then
// join it), bounded: never sooner than `minGapMs` after the previous commit started, and
// never while one runs. The fixed tick's commits go through here too, so this knows when one
// runs: an alert delivered meanwhile may miss it, and once it ends another is armed.
//
//   alert delivered ─► armed? no ─► at max(now + delayMs, lastStart + minGapMs) ─► commit
//                                                          │ ends: an alert after its start? ─► arm again
//
// Throughput holds because the commit rate is at most 1000 / minGapMs per second whatever
// the alert rate, and commits carry every round done by then; the fixed tick still commits
// offsets when no alert is pending.

export interface AlertCommitOptions {
  /** Wait after the first pending alert before committing (rounds done meanwhile join). */
  readonly delayMs: number;
  /** At least this long between the starts of two commits. */
  readonly minGapMs: number;
  readonly now: () => number;
  /** Calls `f` once after `ms`; returns a cancel. */
  readonly after: (ms: number, f: () => void) => () => void;
  /** Starts a commit (or joins the one running); resolves when it ends, failed or not. */
  readonly commit: () => Promise<void>;
}

export class AlertCommits {
  private readonly o: AlertCommitOptions;
  private cancel: (() => void) | undefined;
  private running = false;
  /** Wall ms the last commit started (the tick's too), and the last alert was delivered. */
  private lastStart = -Infinity;
  private lastAlert = -Infinity;
  private stopped = false;

  constructor(o: AlertCommitOptions) {
    this.o = o;
  }

  /** A round delivered at least one alert. */
  alert(): void {
    this.lastAlert = this.o.now();
    this.arm();
  }

  /** The fixed tick: a commit unless one runs (it takes what the tick would). */
  tick(): void {
    if (!this.running) this.run();
  }

  /** No more commits from here: the armed one is cancelled, and a commit still running arms none. */
  stop(): void {
    this.stopped = true;
    this.disarm();
  }

  private disarm(): void {
    this.cancel?.();
    this.cancel = undefined;
  }

  private arm(): void {
    if (this.cancel !== undefined || this.running || this.stopped) return;
    const now = this.o.now();
    const wait = Math.max(this.o.delayMs, this.lastStart + this.o.minGapMs - now);
    this.cancel = this.o.after(wait, () => this.fire());
  }

  private fire(): void {
    this.cancel = undefined;
    if (!this.running) this.run();
  }

  private run(): void {
    // This commit takes every round done so far: an armed one would have nothing more.
    this.disarm();
    this.running = true;
    const start = this.o.now();
    this.lastStart = start;
    void this.o.commit().catch(() => undefined).finally(() => {
      this.running = false;
      // Delivered at or after this commit started: it may not be in it.
      if (this.lastAlert >= start) this.arm();
    });
  }
}
