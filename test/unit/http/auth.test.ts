// Tokens and identities: the short and the long form resolve to a scope and a name (the short
// form is named after the token's hash, never the token), CEPHEUS_API_TOKENS takes an optional
// name, bad entries fail with what to write, and a guard hands routes the caller's identity.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { CepError } from '../../../src/core/errors.ts';
import { authorize, guard, identify, parseTokens, requestIdentity, tokenId } from '../../../src/http/auth.ts';
import type { Tokens } from '../../../src/http/auth.ts';

const TOKENS: Tokens = { 'short-reader': 'read', 'long-admin-token': { scope: 'admin', name: 'ana' } };

describe('identities', () => {
  it('resolves both forms; the short form is named after the hash of the token', () => {
    expect(tokenId('short-reader')).toBe('25e4660ca8fecf38');
    expect(identify(TOKENS, 'short-reader')).toEqual({ name: 'read-token-25e4660c', scope: 'read', tokenId: '25e4660ca8fecf38' });
    expect(identify(TOKENS, 'long-admin-token')).toEqual({ name: 'ana', scope: 'admin', tokenId: tokenId('long-admin-token') });
    expect([identify(TOKENS, 'nope'), identify(TOKENS, 'toString'), identify(TOKENS, '__proto__')]).toEqual([undefined, undefined, undefined]);
  });

  it('authorizes with the identity, or says why not', () => {
    expect(authorize(TOKENS, 'Bearer long-admin-token', 'admin')).toEqual({ ok: true, identity: { name: 'ana', scope: 'admin', tokenId: tokenId('long-admin-token') } });
    expect(authorize(TOKENS, 'Bearer short-reader', 'admin')).toEqual({ ok: false, status: 403, code: 'CEP_ERR_API_FORBIDDEN', message: 'this needs a token with the admin scope' });
    expect(authorize(TOKENS, 'Basic x', 'read')).toEqual({ ok: false, status: 401, code: 'CEP_ERR_API_UNAUTHENTICATED', message: 'send Authorization: Bearer <token>' });
  });

  it('parses CEPHEUS_API_TOKENS with optional names, and says what to write', () => {
    expect(parseTokens('a1:read, b2:admin:ana lee ,c3:admin')).toEqual({ a1: 'read', b2: { scope: 'admin', name: 'ana lee' }, c3: 'admin' });
    const fail = (spec: string): string => {
      try {
        parseTokens(spec);
      } catch (err) {
        return err instanceof CepError ? err.message : String(err);
      }
      return 'no error';
    };
    expect(fail('a1:write')).toBe("CEP_ERR_CONFIG: CEPHEUS_API_TOKENS entry 'a1:write' must be <token>:read or <token>:admin, optionally followed by :<name>");
    expect(fail('a1:read:x:y')).toBe("CEP_ERR_CONFIG: CEPHEUS_API_TOKENS entry 'a1:read:x:y' must be <token>:read or <token>:admin, optionally followed by :<name>");
    expect(fail('a1:admin:-bad')).toBe("CEP_ERR_CONFIG: CEPHEUS_API_TOKENS entry for a admin token has the name '-bad': expected 1-64 letters, digits, space, . _ @ - (starting with a letter or digit)");
  });

  it('hands routes behind a guard the identity of the caller', async () => {
    const app = Fastify();
    app.get('/who', { preHandler: guard(TOKENS, 'read') }, (req) => requestIdentity(req) ?? null);
    app.get('/open', (req) => ({ identity: requestIdentity(req) ?? null }));
    const who = await app.inject({ method: 'GET', url: '/who', headers: { authorization: 'Bearer long-admin-token' } });
    const viaQuery = await app.inject({ method: 'GET', url: '/who?token=short-reader' });
    const open = await app.inject({ method: 'GET', url: '/open' });
    expect([who.json(), viaQuery.json(), open.json()]).toEqual([
      { name: 'ana', scope: 'admin', tokenId: tokenId('long-admin-token') },
      { name: 'read-token-25e4660c', scope: 'read', tokenId: '25e4660ca8fecf38' },
      { identity: null },
    ]);
    await app.close();
  });
});
