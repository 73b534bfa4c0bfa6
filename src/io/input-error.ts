// Errors of reading event files. Per-record problems are data (InputError, yielded in the
// stream so one bad line does not stop a replay); whole-file problems throw a CepError.
import { CepError } from '../core/errors.ts';

export const InputErrorCodes = {
  /** A JSON Lines line that is not valid JSON, or not a JSON object. */
  JSON: 'CEP_ERR_INPUT_JSON',
  /** `kind` missing or not one of login | order | trade | transfer. */
  KIND: 'CEP_ERR_INPUT_KIND',
  /** A required field is absent. */
  FIELD_MISSING: 'CEP_ERR_INPUT_FIELD_MISSING',
  /** A field has the wrong type or an enum value outside the schema's symbols. */
  FIELD_TYPE: 'CEP_ERR_INPUT_FIELD_TYPE',
  /** Schema-valid but impossible: a negative amount, an event time outside 2000..2100, an empty id. */
  VALUE: 'CEP_ERR_INPUT_VALUE',
  /** A Kafka value that is not Confluent-framed (magic byte 0 and a 4-byte schema id). */
  FRAME: 'CEP_ERR_INPUT_FRAME',
  /** A Kafka value with no bytes (a tombstone). */
  EMPTY: 'CEP_ERR_INPUT_EMPTY',
  /** The value's schema id is not in the schema registry. */
  SCHEMA_UNKNOWN: 'CEP_ERR_INPUT_SCHEMA_UNKNOWN',
  /** The writer schema is not an event record, or not a kind this topic is configured for. */
  SCHEMA_KIND: 'CEP_ERR_INPUT_SCHEMA_KIND',
  /** The writer schema cannot be read with Cepheus's schema for the kind (Avro resolution). */
  SCHEMA_INCOMPATIBLE: 'CEP_ERR_INPUT_SCHEMA_INCOMPATIBLE',
  /** The bytes do not decode with the writer schema (truncated, corrupt). */
  AVRO: 'CEP_ERR_INPUT_AVRO_DECODE',
} as const;
export type InputErrorCode = (typeof InputErrorCodes)[keyof typeof InputErrorCodes];

export const InputFileErrorCodes = {
  /** The file cannot be opened or read. */
  OPEN: 'CEP_ERR_INPUT_OPEN',
  /** The extension is not .avro, .jsonl or .ndjson. */
  FORMAT: 'CEP_ERR_INPUT_FORMAT',
  /** Not an Avro object container file, or corrupt (bad magic, sync marker, codec). */
  AVRO: 'CEP_ERR_INPUT_AVRO',
  /** The file's writer schema cannot be read as Cepheus events. */
  AVRO_SCHEMA: 'CEP_ERR_INPUT_AVRO_SCHEMA',
} as const;

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

export function fileError(code: string, file: string, what: string): CepError {
  return new CepError(code, `${file}: ${what}`);
}
