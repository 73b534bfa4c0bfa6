// Shared CLI helpers: option parsing and error printing with codes.
import { CepError } from '../core/errors.ts';

/** Commander collector for repeatable, comma-separated options. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter((s) => s !== '')];
}

export function parseNonNegative(name: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new CepError('CEP_ERR_CLI_ARG', `${name} must be a number >= 0 (got '${value}')`);
    return n;
  };
}

export function parsePositiveInt(name: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new CepError('CEP_ERR_CLI_ARG', `${name} must be a whole number > 0 (got '${value}')`);
    return n;
  };
}

/** Prints an error (code and message) to stderr and sets a failing exit code. */
export function printError(err: unknown): void {
  if (err instanceof CepError) console.error(err.message);
  else if (err instanceof Error) console.error(`CEP_ERR_INTERNAL: ${err.stack ?? err.message}`);
  else console.error(`CEP_ERR_INTERNAL: ${String(err)}`);
  process.exitCode = 1;
}
