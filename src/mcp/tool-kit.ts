// How tools are declared and how their answers leave: a tool is data (name, schemas, whether
// it needs the admin scope, a run function returning a view); a result carries the view as
// structured content and as JSON text, cut to the size cap with the cuts listed; an error is
// an MCP tool error whose text starts with our code (`CEP_ERR_...: what and what to do`),
// the code and message also in `_meta`. Unexpected errors are logged, never shown.
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { CepError, codeOf } from '../core/errors.ts';
import type { ErrorCode } from '../core/errors.ts';
import type { Identity } from '../http/auth.ts';
import { fitToSize } from './fit.ts';

export interface ToolCall {
  readonly identity: Identity;
  readonly signal: AbortSignal;
}

export interface Tool {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly input: z.ZodObject;
  readonly output: z.ZodObject;
  readonly annotations: ToolAnnotations;
  /** Refused (CEP_ERR_API_FORBIDDEN) unless the session's token has the admin scope. */
  readonly admin: boolean;
  readonly run: (args: unknown, call: ToolCall) => object | Promise<object>;
}

/** Declares a tool with its run function typed by its input schema. */
export function defineTool<I extends z.ZodObject>(t: Omit<Tool, 'input' | 'run' | 'admin'> & { readonly input: I; readonly admin?: boolean; readonly run: (args: z.output<I>, call: ToolCall) => object | Promise<object> }): Tool {
  return { ...t, admin: t.admin ?? false, run: t.run as Tool['run'] };
}

/** JSON Schema (draft-07, which MCP clients validate with) of a zod schema. */
export const jsonSchema = (s: z.ZodType, io: 'input' | 'output'): Record<string, unknown> & { type: 'object' } => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { target: 'draft-7', io }) as Record<string, unknown>;
  return { ...rest, type: 'object' };
};

/** A view cut to `maxBytes` (cuts listed under `truncated`), as structured content and JSON text. */
export function fitted(view: object, maxBytes: number): Record<string, unknown> {
  const { value, cuts } = fitToSize(view, maxBytes);
  return cuts.length === 0 ? (value as Record<string, unknown>) : { ...value, truncated: cuts };
}

export function toolResult(view: object, maxBytes: number): CallToolResult {
  const structured = fitted(view, maxBytes);
  return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
}

export interface CodedMessage {
  readonly code: ErrorCode;
  readonly message: string;
}

/** Our code and a message safe to show: a CepError's own, else CEP_ERR_INTERNAL (cause logged). */
export function coded(err: unknown, onInternal: (err: unknown) => void): CodedMessage {
  if (err instanceof CepError) return { code: err.code, message: err.detail };
  onInternal(err);
  return { code: codeOf(err), message: 'internal error; the server log has the cause' };
}

export function toolError(e: CodedMessage): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: `${e.code}: ${e.message}` }], _meta: { 'cepheus/error': { code: e.code, message: e.message } } };
}

/** JSON-RPC error codes for failures outside tool calls (resources, prompts, subscriptions). */
const RPC_CODES: Partial<Readonly<Record<ErrorCode, number>>> = {
  CEP_ERR_STORE_ALERT_NOT_FOUND: -32002, CEP_ERR_API_RULE_NOT_FOUND: -32002, CEP_ERR_MCP_RESOURCE_URI: -32602, CEP_ERR_MCP_SUBSCRIPTION: -32602,
  CEP_ERR_API_VALIDATION: -32602, CEP_ERR_STORE_CURSOR: -32602, CEP_ERR_INTERNAL: -32603,
};

/** An error the SDK sends as a JSON-RPC error: our code first in the message and in `data`. */
export class RpcError extends Error {
  readonly code: number;
  readonly data: { readonly code: ErrorCode };
  constructor(e: CodedMessage) {
    super(`${e.code}: ${e.message}`);
    this.code = RPC_CODES[e.code] ?? -32000;
    this.data = { code: e.code };
  }
}

/** Input checked against a tool's or prompt's schema, or CEP_ERR_API_VALIDATION naming each problem. */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const r = schema.safeParse(raw ?? {});
  if (r.success) return r.data;
  throw new CepError('CEP_ERR_API_VALIDATION', r.error.issues.map((i) => `${i.path.length === 0 ? '(arguments)' : i.path.join('.')}: ${i.message}`).join('; '));
}
