// Spoofing / layering: large orders on one side, a trade on the other, the orders cancelled.
// The library's `spoofing` factory with its defaults; copy this file into your own rules folder
// and pass parameters to make your variant (give it its own id): see docs/rule-library.md.
import { spoofing } from 'cepheus/rules';

export default spoofing();
