// Readiness (/readyz): ready when live and caught up with the input (at most one round behind
// the partitions' ends), or standing by (another instance holds the partitions), and nothing
// is wrong. Every reason it is not is said, most fundamental first:
//
//   broker unreachable: ...          (broker-health.ts)
//   commits failing: ...             failures in a row, the last one's cause, when the next try is
//   restoring: ... / recovering: ... / catching up: ... / starting / stopping / stopped
//   watermark stalled: ... / watermark far ahead of the wall clock: ...   (live only: watermark-health.ts)
import { brokerUnreachable } from './broker-health.ts';
import type { BrokerEvidence } from './broker-health.ts';
import type { FailureStreak } from './commit-failure.ts';
import type { Status } from './service-state.ts';
import { watermarkReasons } from './watermark-health.ts';
import type { WatermarkBounds, WatermarkTrack } from './watermark-health.ts';

export interface Readiness {
  readonly ready: boolean;
  readonly reasons: string[];
}

/** What readiness looks at, as plain data. */
export interface HealthView {
  readonly status: Status;
  /** Records behind the partitions' ends. */
  readonly lag: number;
  readonly broker: BrokerEvidence;
  readonly commits: FailureStreak;
  readonly restores: FailureStreak;
  /** The watermark's track in the current run (undefined when there is none). */
  readonly watermark: WatermarkTrack | undefined;
  /** Wall ms of the last record read. */
  readonly lastInput: number;
}

export interface HealthBounds extends WatermarkBounds {
  readonly roundMaxValues: number;
  readonly brokerTimeoutMs: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const retryIn = (s: FailureStreak, now: number): string => (s.retryAt > now ? `; retrying in ${Math.ceil((s.retryAt - now) / 1000)} s` : '');

function statusReason(v: HealthView, now: number, b: HealthBounds): string | undefined {
  const s = v.status;
  switch (s) {
    case 'live':
      return v.lag <= b.roundMaxValues ? undefined : `catching up: ${v.lag} records behind the partitions' ends`;
    case 'standby':
      return undefined;
    case 'recovering':
      return 'recovering: replaying input since the last checkpoint';
    case 'restoring':
      if (v.restores.count > 0) return `restoring: ${v.restores.count} attempt(s) failed, the last: ${v.restores.last}${retryIn(v.restores, now)}`;
      return v.commits.retryAt > now ? 'restoring: waiting before restoring the last checkpoint' : 'restoring: reading the checkpoint and starting the shards';
    case 'starting':
    case 'stopping':
    case 'stopped':
      return s;
    default: {
      const never: never = s;
      return never;
    }
  }
}

export function readiness(v: HealthView, now: number, b: HealthBounds): Readiness {
  const reasons: string[] = [];
  const broker = v.status === 'stopped' ? undefined : brokerUnreachable(v.broker, now, b.brokerTimeoutMs);
  if (broker !== undefined) reasons.push(broker);
  if (v.commits.count > 0) reasons.push(`commits failing: ${v.commits.count} in a row since ${iso(v.commits.since)}, the last: ${v.commits.last}${retryIn(v.commits, now)}`);
  const status = statusReason(v, now, b);
  if (status !== undefined) reasons.push(status);
  if (v.status === 'live') reasons.push(...watermarkReasons(v.watermark, now, v.lastInput, b));
  if (v.status === 'standby') return { ready: reasons.length === 0, reasons: [...reasons, 'standby: another instance of the group holds the partitions'] };
  return { ready: reasons.length === 0, reasons };
}
