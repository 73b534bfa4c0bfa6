// Branded time and identity types, created at the edge (decoder, loader) and trusted inside.

/** Event time in milliseconds since the Unix epoch. */
export type EventTimeMs = number & { readonly __brand: 'EventTimeMs' };
/** A duration in milliseconds. */
export type DurationMs = number & { readonly __brand: 'DurationMs' };

export const eventTime = (ms: number): EventTimeMs => ms as EventTimeMs;

export const ms = (n: number): DurationMs => n as DurationMs;
export const seconds = (n: number): DurationMs => (n * 1000) as DurationMs;
export const minutes = (n: number): DurationMs => (n * 60_000) as DurationMs;
export const hours = (n: number): DurationMs => (n * 3_600_000) as DurationMs;
export const days = (n: number): DurationMs => (n * 86_400_000) as DurationMs;
