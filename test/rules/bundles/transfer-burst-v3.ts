// A candidate version of transfer-burst for the shadow-mode integration test (threshold 4).
import { hours, keyBy, sliding, threshold } from 'cepheus';

const byAccount = keyBy('account', { transfer: (e) => e.account });

export default threshold({
  id: 'transfer-burst',
  version: 3,
  severity: 'medium',
  description: 'at least 4 outbound transfers within 6 hours (a candidate: threshold 4)',
  key: byAccount,
  on: 'transfer',
  where: (e) => e.direction === 'OUT',
  window: sliding(hours(6)),
  measures: (m) => ({ n: m.count() }),
  when: (a) => a.n >= 4,
});
