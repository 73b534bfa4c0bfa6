// Large trade: a notional far above the account's own habit.
// The library's `largeTrade` factory with its defaults; copy this file into your own rules folder
// and pass parameters to make your variant (give it its own id): see docs/rule-library.md.
import { largeTrade } from 'cepheus/rules';

export default largeTrade();
