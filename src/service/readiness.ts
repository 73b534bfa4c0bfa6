// Readiness (/readyz): live and caught up with the input (at most one round behind the
// partitions' ends), or standing by (another instance holds the partitions). Anything else
// (starting, restoring, recovering, stopping) is not ready, and says why.
import type { Status } from './service-state.ts';

export interface Readiness {
  readonly ready: boolean;
  readonly reasons: string[];
}

export function readiness(status: Status, lag: number, roundMaxValues: number): Readiness {
  switch (status) {
    case 'live':
      return lag <= roundMaxValues ? { ready: true, reasons: [] } : { ready: false, reasons: [`catching up: ${lag} records behind the partitions' ends`] };
    case 'standby':
      return { ready: true, reasons: ['standby: another instance of the group holds the partitions'] };
    case 'recovering':
      return { ready: false, reasons: ['recovering: replaying input since the last checkpoint'] };
    case 'starting':
    case 'restoring':
    case 'stopping':
    case 'stopped':
      return { ready: false, reasons: [status] };
    default: {
      const never: never = status;
      return never;
    }
  }
}
