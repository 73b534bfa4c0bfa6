// Errors of reading event files. Per-record problems are data (InputError, yielded in the
// stream so one bad line does not stop a replay); whole-file problems throw a CepError.
import { CepError } from '../core/errors.ts';
import type { FileErrorCode, InputErrorCode } from '../core/errors.ts';

export type { FileErrorCode, InputErrorCode } from '../core/errors.ts';

/** One record that could not be read. `record` is the 1-based line number (JSON Lines, blank
 *  lines counted), record index (Avro) or Kafka offset (`file` is then topic/partition);
 *  `field` names the offending field when there is one. */
export interface InputError {
  readonly code: InputErrorCode;
  readonly message: string;
  readonly file: string;
  readonly record: number;
  readonly field?: string;
}

export function inputError(code: InputErrorCode, file: string, record: number, unit: 'line' | 'record' | 'offset', what: string, field?: string): InputError {
  const where = `${file}: ${unit} ${record}${field === undefined ? '' : `: field '${field}'`}`;
  const base = { code, message: `${code}: ${where}: ${what}`, file, record };
  return field === undefined ? base : { ...base, field };
}

export function fileError(code: FileErrorCode, file: string, what: string): CepError {
  return new CepError(code, `${file}: ${what}`);
}
