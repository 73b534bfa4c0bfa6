// Structuring (smurfing): several outbound transfers each just under the reporting threshold.
import { sliding, threshold } from 'cepheus';
import { byAccount } from './lib/keys.ts';
import { PARAMS } from './lib/params.ts';

const P = PARAMS.structuring;

export default threshold({
  id: 'structuring',
  version: 1,
  severity: 'high',
  description: `>= ${P.minTransfers} outbound transfers in [${P.low}, ${P.high}) within ${P.window / 3_600_000} h`,
  tags: ['aml'],
  key: byAccount,
  on: 'transfer',
  where: (e) => e.direction === 'OUT' && e.amount >= P.low && e.amount < P.high,
  window: sliding(P.window),
  measures: (m) => ({ transfers: m.count(), total: m.sum((e) => e.amount), beneficiaries: m.distinct((e) => e.counterparty) }),
  when: (a) => a.transfers >= P.minTransfers,
  message: (a, _ctx, key) => `${key}: ${a.transfers} transfers just under ${P.high} (total ${Math.round(a.total)}) to ${a.beneficiaries} beneficiaries`,
});
