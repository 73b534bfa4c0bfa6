// A candidate version of transfer-burst for the shadow-mode integration test (threshold 3).
import { hours, keyBy, sliding, threshold } from 'cepheus';

const byAccount = keyBy('account', { transfer: (e) => e.account });

export default threshold({
  id: 'transfer-burst',
  version: 2,
  severity: 'medium',
  description: 'at least 3 outbound transfers within 6 hours (a candidate: threshold 3)',
  key: byAccount,
  on: 'transfer',
  where: (e) => e.direction === 'OUT',
  window: sliding(hours(6)),
  measures: (m) => ({ n: m.count() }),
  when: (a) => a.n >= 3,
});
