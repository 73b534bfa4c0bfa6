// Errors with stable codes. Every message says what was wrong and what to do about it.

export const ErrorCodes = {
  RULE_INVALID: 'CEP_ERR_RULE_INVALID',
  RULE_DUPLICATE_ID: 'CEP_ERR_RULE_DUPLICATE_ID',
  ENGINE_OPTIONS: 'CEP_ERR_ENGINE_OPTIONS',
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class CepError extends Error {
  readonly code: string;
  readonly details: readonly string[];
  constructor(code: string, message: string, details: readonly string[] = []) {
    super(details.length > 0 ? `${code}: ${message}\n  - ${details.join('\n  - ')}` : `${code}: ${message}`);
    this.name = 'CepError';
    this.code = code;
    this.details = details;
  }
}
