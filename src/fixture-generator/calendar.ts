// When people act: the diurnal / weekly activity curve (UTC) and when markets take orders.
// The default timeline starts Monday 2026-01-05 00:00 UTC.

export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** Relative activity per UTC hour on a weekday: quiet nights, European morning, busiest when
 *  London and New York overlap, US afternoon tail. */
const WEEKDAY_CURVE = [
  0.12, 0.08, 0.06, 0.06, 0.08, 0.15, 0.3, 0.6, 1.0, 1.1, 1.1, 1.0,
  1.0, 1.1, 1.4, 1.6, 1.5, 1.2, 1.0, 0.9, 0.8, 0.6, 0.4, 0.2,
] as const;
const WEEKEND_FACTOR = 0.22;

/** 0 = Sunday … 6 = Saturday. */
export function weekday(ts: number): number {
  return new Date(ts).getUTCDay();
}

export function isWeekend(ts: number): boolean {
  const d = weekday(ts);
  return d === 0 || d === 6;
}

export function hourWeight(hourStart: number): number {
  const h = new Date(hourStart).getUTCHours();
  const w = WEEKDAY_CURVE[h] ?? 1;
  return isWeekend(hourStart) ? w * WEEKEND_FACTOR : w;
}

/** Markets take orders on weekdays 07:00–21:00 UTC (Europe open to US close). */
export function isMarketOpen(ts: number): boolean {
  if (isWeekend(ts)) return false;
  const h = new Date(ts).getUTCHours();
  return h >= 7 && h < 21;
}

/** `ts` if it falls in core market hours (weekday 09:00–16:00 UTC), else the next 09:00
 *  weekday open. Planted trading scenarios start there so they look like market activity. */
export function coreMarketTimeFrom(ts: number): number {
  let t = ts;
  for (let i = 0; i < 8; i++) {
    const dayStart = Math.floor(t / DAY) * DAY;
    const open = dayStart + 9 * HOUR;
    const close = dayStart + 16 * HOUR;
    if (!isWeekend(dayStart) && t < close) return Math.max(t, open);
    t = dayStart + DAY;
  }
  return t;
}
