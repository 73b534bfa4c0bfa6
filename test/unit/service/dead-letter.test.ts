// A dead letter: the original key and value bytes untouched (an empty value goes out as a
// tombstone), with headers saying why and where from, plus any extra headers.
import { describe, expect, it } from 'vitest';
import { deadLetter } from '../../../src/service/dead-letter.ts';

describe('dead letter', () => {
  it('carries the record as it was read, and why', () => {
    const r = deadLetter({ key: new Uint8Array([65, 66]), value: new Uint8Array([0, 1, 2]), timestamp: 42 }, 'in', 3, 17, 'CEP_ERR_INPUT_FRAME', 'not framed', { extra: 'x' });
    const tombstone = deadLetter({ key: null, value: new Uint8Array(0), timestamp: 0 }, 'in', 0, 1, 'CEP_ERR_INPUT_EMPTY', 'tombstone');
    expect([r, tombstone]).toEqual([
      {
        key: Buffer.from('AB'), value: Buffer.from([0, 1, 2]),
        headers: {
          'cepheus.error.code': 'CEP_ERR_INPUT_FRAME', 'cepheus.error.message': 'not framed', 'cepheus.source.topic': 'in', 'cepheus.source.partition': '3',
          'cepheus.source.offset': '17', 'cepheus.source.timestamp': '42', extra: 'x',
        },
      },
      {
        key: null, value: null,
        headers: {
          'cepheus.error.code': 'CEP_ERR_INPUT_EMPTY', 'cepheus.error.message': 'tombstone', 'cepheus.source.topic': 'in', 'cepheus.source.partition': '0',
          'cepheus.source.offset': '1', 'cepheus.source.timestamp': '0',
        },
      },
    ]);
  });
});
