// The pipeline's default timers (tests inject simulated ones: PipelineDeps.every / sleep).
export const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

/** Calls `f` every `ms` until the returned function is called. */
export const interval = (ms: number, f: () => void): (() => void) => {
  const t = setInterval(f, ms);
  return () => clearInterval(t);
};

/** Waits `ms` without keeping the process alive. */
export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** Calls `f` once after `ms` without keeping the process alive; returns a cancel. */
export const once = (ms: number, f: () => void): (() => void) => {
  const t = setTimeout(f, ms).unref();
  return () => clearTimeout(t);
};
