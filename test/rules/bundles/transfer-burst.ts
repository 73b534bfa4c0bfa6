// A rule deployed into a running service by the rule-lifecycle integration test: no context,
// so its alerts after the deploy are exactly those of a replay of the events from the boundary on.
import { hours, keyBy, sliding, threshold } from 'cepheus';

const byAccount = keyBy('account', { transfer: (e) => e.account });

export default threshold({
  id: 'transfer-burst',
  version: 1,
  severity: 'medium',
  description: 'at least 2 outbound transfers within 6 hours',
  key: byAccount,
  on: 'transfer',
  where: (e) => e.direction === 'OUT',
  window: sliding(hours(6)),
  measures: (m) => ({ n: m.count() }),
  when: (a) => a.n >= 2,
});
