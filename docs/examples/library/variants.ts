// Guide example: the library's factories with parameters of your own. Each variant gets its
// own id, so it runs beside the bundled rule and its alerts have ids of their own.
import { hours, minutes } from 'cepheus';
import { bruteForce, structuring } from 'cepheus/rules';

export const structuringEu = structuring({ id: 'structuring-eu', threshold: 9_000, within: hours(24) });
export const structuringWide = structuring({ id: 'structuring-wide', threshold: 10_000, band: 0.2, minTransfers: 2, within: hours(48) });
export const bruteForceStrict = bruteForce({ id: 'brute-force-strict', severity: 'critical', minFailures: 5, within: minutes(5) });
