// Impossible travel: successful logins from two continents within an hour.
// The library's `impossibleTravel` factory with its defaults; copy this file into your own rules folder
// and pass parameters to make your variant (give it its own id): see docs/rule-library.md.
import { impossibleTravel } from 'cepheus/rules';

export default impossibleTravel();
