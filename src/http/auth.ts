// Bearer-token auth with two scopes: `read` (GET) and `admin` (changes). Tokens come from
// config; health endpoints and the dashboard's static page are open, everything else is not.
// EventSource cannot send headers, so `?token=` is accepted too.
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { CepError } from '../core/errors.ts';
import type { ErrorCode } from '../core/errors.ts';
import { errorBody } from './errors.ts';

export const SCOPES = ['read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** token → scope. `admin` implies `read`. */
export type Tokens = Readonly<Record<string, Scope>>;

export type AuthResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: 401 | 403; readonly code: ErrorCode; readonly message: string };

export function authorize(tokens: Tokens, header: string | undefined, needed: Scope): AuthResult {
  const m = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  if (m === null) return { ok: false, status: 401, code: 'CEP_ERR_API_UNAUTHENTICATED', message: 'send Authorization: Bearer <token>' };
  const scope = tokens[m[1] as string];
  if (scope === undefined) return { ok: false, status: 401, code: 'CEP_ERR_API_UNAUTHENTICATED', message: 'unknown token' };
  if (needed === 'admin' && scope !== 'admin') return { ok: false, status: 403, code: 'CEP_ERR_API_FORBIDDEN', message: 'this needs a token with the admin scope' };
  return { ok: true };
}

/** A preHandler that answers 401/403 unless the request carries a token with `scope`. */
export function guard(tokens: Tokens, scope: Scope): preHandlerAsyncHookHandler {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const token = (req.query as { token?: unknown } | undefined)?.token;
    const header = req.headers.authorization ?? (typeof token === 'string' ? `Bearer ${token}` : undefined);
    const r = authorize(tokens, header, scope);
    if (!r.ok) await reply.status(r.status).send(errorBody(r.code, r.message));
  };
}

/** Parses `CEPHEUS_API_TOKENS`-style config: `token1:read,token2:admin`. */
export function parseTokens(spec: string): Tokens {
  const out: Record<string, Scope> = {};
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [token, scope] = part.split(':');
    if (token === undefined || token === '' || (scope !== 'read' && scope !== 'admin')) {
      throw new CepError('CEP_ERR_CONFIG', `CEPHEUS_API_TOKENS entry '${part}' must be <token>:read or <token>:admin`);
    }
    out[token] = scope;
  }
  return out;
}
