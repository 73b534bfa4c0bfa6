// Credential stuffing: one IP failing logins on many accounts.
// The library's `credentialStuffing` factory with its defaults; copy this file into your own rules folder
// and pass parameters to make your variant (give it its own id): see docs/rule-library.md.
import { credentialStuffing } from 'cepheus/rules';

export default credentialStuffing();
