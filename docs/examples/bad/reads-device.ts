// Guide example of a rule `cepheus check` refuses: a Transfer has no `device` field. Node
// would strip the types and load it, and the rule would silently never fire.
import { keyBy, minutes, sequence } from 'cepheus';

const byAccount = keyBy('account', { transfer: (e) => e.account });

export default sequence({
  id: 'transfer-from-device',
  version: 1,
  severity: 'low',
  description: 'an outbound transfer from a given device',
  key: byAccount,
  within: minutes(5),
  skip: 'no-skip',
  pattern: (p) => p.begin('t', 'transfer', (e) => e.direction === 'OUT' && e.device === 'dev-1'),
});
