// Trade velocity: more trades in minutes than a person makes.
// The library's `tradeVelocity` factory with its defaults; copy this file into your own rules folder
// and pass parameters to make your variant (give it its own id): see docs/rule-library.md.
import { tradeVelocity } from 'cepheus/rules';

export default tradeVelocity();
