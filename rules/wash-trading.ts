// Wash trading: two accounts trading the same qty and price with each other.
// The library's `washTrading` factory with its defaults; copy this file into your own rules folder
// and pass parameters to make your variant (give it its own id): see docs/rule-library.md.
import { washTrading } from 'cepheus/rules';

export default washTrading();
