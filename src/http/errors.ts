// Every error leaves the API as JSON `{ error: { code, message } }` with one of our codes
// (src/core/errors.ts) and that code's HTTP status. fastify's own errors (body parsing,
// content type, size) are mapped onto our codes: its FST_ERR_* names never reach a client.
import type { FastifyError, FastifyInstance } from 'fastify';
import { CepError, ERRORS } from '../core/errors.ts';
import type { ErrorCode } from '../core/errors.ts';

export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string };
}

export const errorBody = (code: ErrorCode, message: string): ErrorBody => ({ error: { code, message } });

/** fastify error codes we expect from clients' mistakes, and ours for each. */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'CEP_ERR_API_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'CEP_ERR_API_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'CEP_ERR_API_BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'CEP_ERR_API_BODY_INVALID',
  FST_ERR_CTP_INVALID_JSON_BODY: 'CEP_ERR_API_BODY_INVALID',
  FST_ERR_BAD_URL: 'CEP_ERR_API_BAD_REQUEST',
};

/** Our code and status for anything a handler or fastify threw. */
export function toApiError(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof CepError) return { status: err.status, body: errorBody(err.code, err.detail) };
  const e = err as Partial<FastifyError>;
  if (e.validation !== undefined) return { status: 400, body: errorBody('CEP_ERR_API_VALIDATION', e.message ?? 'invalid request') };
  if (err instanceof SyntaxError && e.statusCode === 400) return { status: 400, body: errorBody('CEP_ERR_API_BODY_INVALID', err.message) };
  const mapped = e.code === undefined ? undefined : FASTIFY_CODES[e.code];
  if (mapped !== undefined) return { status: ERRORS[mapped].status, body: errorBody(mapped, e.message ?? mapped) };
  if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) return { status: e.statusCode, body: errorBody('CEP_ERR_API_BAD_REQUEST', e.message ?? 'bad request') };
  return { status: 500, body: errorBody('CEP_ERR_API_INTERNAL', 'internal error; the server log has the cause') };
}

export function installErrorHandlers(app: FastifyInstance, onInternal: (err: unknown) => void = () => undefined): void {
  app.setErrorHandler((err, _req, reply) => {
    const { status, body } = toApiError(err);
    if (status >= 500) onInternal(err);
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send(errorBody('CEP_ERR_API_NOT_FOUND', `no route ${req.method} ${req.url}`)));
}
