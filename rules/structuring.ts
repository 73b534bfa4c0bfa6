// Structuring: several outbound transfers just under a reporting threshold.
// The library's `structuring` factory with its defaults; copy this file into your own rules folder
// and pass parameters to make your variant (give it its own id): see docs/rule-library.md.
import { structuring } from 'cepheus/rules';

export default structuring();
