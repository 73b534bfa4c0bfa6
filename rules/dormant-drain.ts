// Dormant drain: a long-silent account logs in and sends a large amount out.
// The library's `dormantDrain` factory with its defaults; copy this file into your own rules folder
// and pass parameters to make your variant (give it its own id): see docs/rule-library.md.
import { dormantDrain } from 'cepheus/rules';

export default dormantDrain();
