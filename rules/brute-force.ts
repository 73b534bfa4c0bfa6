// Brute force: many failed logins on one account in a short window.
// The library's `bruteForce` factory with its defaults; copy this file into your own rules folder
// and pass parameters to make your variant (give it its own id): see docs/rule-library.md.
import { bruteForce } from 'cepheus/rules';

export default bruteForce();
