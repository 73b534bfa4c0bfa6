// Bearer-token auth with two scopes: `read` (GET) and `admin` (changes), and an identity per
// token: changes are attributed to the token's configured name, never to a name the client
// sends. Tokens come from config, in the short form (`<token>: read`) or the long form
// (`<token>: { scope: admin, name: ana }`); health endpoints and the dashboard's static page
// are open, everything else is not. EventSource cannot send headers, so `?token=` is accepted too.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { CepError } from '../core/errors.ts';
import type { ErrorCode } from '../core/errors.ts';
import { IDENTITY_NAME, IDENTITY_NAME_RULE } from '../config/tokens.ts';
import type { Scope, TokenGrant } from '../config/tokens.ts';
import { errorBody } from './errors.ts';

export { IDENTITY_NAME, SCOPES } from '../config/tokens.ts';
export type { Scope, TokenGrant } from '../config/tokens.ts';

/** token → grant. `admin` implies `read`. */
export type Tokens = Readonly<Record<string, TokenGrant>>;

/** Who is calling: the name changes are attributed to, the scope, and a key that is not the token. */
export interface Identity {
  readonly name: string;
  readonly scope: Scope;
  /** First 16 hex digits of the token's sha-256: keys rate limits and sessions, safe to log. */
  readonly tokenId: string;
}

export const tokenId = (token: string): string => createHash('sha256').update(token).digest('hex').slice(0, 16);

/** The identity of a token, or undefined when it is not configured. */
export function identify(tokens: Tokens, token: string): Identity | undefined {
  if (!Object.hasOwn(tokens, token)) return undefined;
  const grant = tokens[token] as TokenGrant;
  const id = tokenId(token);
  return typeof grant === 'string' ? { name: `${grant}-token-${id.slice(0, 8)}`, scope: grant, tokenId: id } : { name: grant.name, scope: grant.scope, tokenId: id };
}

export type AuthResult =
  | { readonly ok: true; readonly identity: Identity }
  | { readonly ok: false; readonly status: 401 | 403; readonly code: ErrorCode; readonly message: string };

export function authorize(tokens: Tokens, header: string | undefined, needed: Scope): AuthResult {
  const m = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  if (m === null) return { ok: false, status: 401, code: 'CEP_ERR_API_UNAUTHENTICATED', message: 'send Authorization: Bearer <token>' };
  const identity = identify(tokens, m[1] as string);
  if (identity === undefined) return { ok: false, status: 401, code: 'CEP_ERR_API_UNAUTHENTICATED', message: 'unknown token' };
  if (needed === 'admin' && identity.scope !== 'admin') return { ok: false, status: 403, code: 'CEP_ERR_API_FORBIDDEN', message: 'this needs a token with the admin scope' };
  return { ok: true, identity };
}

const identities = new WeakMap<FastifyRequest, Identity>();

/** The identity a guard authenticated for this request (undefined on open routes). */
export function requestIdentity(req: FastifyRequest): Identity | undefined {
  return identities.get(req);
}

/** A preHandler that answers 401/403 unless the request carries a token with `scope`; see requestIdentity. */
export function guard(tokens: Tokens, scope: Scope): preHandlerAsyncHookHandler {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const token = (req.query as { token?: unknown } | undefined)?.token;
    const header = req.headers.authorization ?? (typeof token === 'string' ? `Bearer ${token}` : undefined);
    const r = authorize(tokens, header, scope);
    if (r.ok) identities.set(req, r.identity);
    else await reply.status(r.status).send(errorBody(r.code, r.message));
  };
}

/** Parses `CEPHEUS_API_TOKENS`-style config: `token1:read,token2:admin:ana` (the name is optional). */
export function parseTokens(spec: string): Tokens {
  const out: Record<string, TokenGrant> = {};
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [token, scope, name, ...rest] = part.split(':');
    if (token === undefined || token === '' || (scope !== 'read' && scope !== 'admin') || rest.length > 0) {
      throw new CepError('CEP_ERR_CONFIG', `CEPHEUS_API_TOKENS entry '${part}' must be <token>:read or <token>:admin, optionally followed by :<name>`);
    }
    if (name !== undefined && !IDENTITY_NAME.test(name)) {
      throw new CepError('CEP_ERR_CONFIG', `CEPHEUS_API_TOKENS entry for a ${scope} token has the name '${name}': ${IDENTITY_NAME_RULE}`);
    }
    out[token] = name === undefined ? scope : { scope, name };
  }
  return out;
}
