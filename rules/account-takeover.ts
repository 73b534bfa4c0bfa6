// Account takeover: failed logins, a success from a new device, then a large transfer out.
// The library's `accountTakeover` factory with its defaults; copy this file into your own rules folder
// and pass parameters to make your variant (give it its own id): see docs/rule-library.md.
import { accountTakeover } from 'cepheus/rules';

export default accountTakeover();
