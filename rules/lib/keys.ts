// Key spaces shared by the bundled rules. Rules that share a key space share its context.
import { joinKey, keyBy } from 'cepheus';

/** Per account: every event kind carries the account. */
export const byAccount = keyBy('account', {
  login: (e) => e.account,
  order: (e) => e.account,
  trade: (e) => e.account,
  transfer: (e) => e.account,
});

/** Per source IP: logins only (cross-account attacks). */
export const byIp = keyBy('ip', { login: (e) => e.ip });

/** Per instrument: trades (cross-account patterns on one instrument). */
export const byInstrument = keyBy('instrument', { trade: (e) => e.instrument });

/** Per account and instrument: the order book behaviour of one account on one instrument. */
export const byAccountInstrument = keyBy('account-instrument', {
  order: (e) => joinKey(e.account, e.instrument),
  trade: (e) => joinKey(e.account, e.instrument),
});
