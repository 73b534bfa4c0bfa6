// The fast Avro reader changes speed, never outcomes: for any bytes (valid records, and
// records truncated, extended or with bytes flipped), decoding through it gives exactly what
// avsc followed by eventFromAvro gives: the same event (same field order) or the same error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_KINDS } from '../../../src/events/types.ts';
import type { AnyEvent, EventKind } from '../../../src/events/types.ts';
import { AvroCursor, fastReaderOf } from '../../../src/io/avro-fast.ts';
import { recordTypeOf } from '../../../src/io/confluent-frame.ts';
import { inputError } from '../../../src/io/input-error.ts';
import { eventFromAvro } from '../../../src/io/validate-event.ts';
import { Interner } from '../../../src/io/interner.ts';
import { generate } from '../../../src/fixture-generator/generate.ts';
import { SAMPLE_EVENTS } from './sample-events.ts';

/** The path before the fast reader: avsc, then the canonical shape and the value rules. */
function slow(kind: EventKind, body: Buffer): string {
  try {
    const raw = recordTypeOf(kind).fromBuffer(body) as Record<string, unknown>;
    return JSON.stringify(eventFromAvro(raw, kind, { file: 'f', record: 1, unit: 'offset' }));
  } catch (err) {
    return JSON.stringify(inputError('CEP_ERR_INPUT_AVRO_DECODE', 'f', 1, 'offset', String(err)));
  }
}

/** The fast reader where it answers (a whole value read), else the slow path. */
function fast(kind: EventKind, body: Buffer): string {
  const read = fastReaderOf(kind, recordTypeOf(kind));
  if (read === undefined) throw new Error(`no fast reader for ${kind}`);
  const c = new AvroCursor();
  c.end = body.length;
  const e = read(body, c);
  return e !== undefined && c.pos === body.length ? JSON.stringify(e) : slow(kind, body);
}

const events: readonly AnyEvent[] = [...SAMPLE_EVENTS, ...generate({ seed: 7, events: 2000, accounts: 50 }).events];

describe('fast Avro reader', () => {
  it('has a reader for every kind', () => {
    for (const k of EVENT_KINDS) expect(fastReaderOf(k, recordTypeOf(k))).toBeTypeOf('function');
  });

  it('reads every generated event as avsc does, field order included', () => {
    for (const e of events) {
      const body = recordTypeOf(e.kind).toBuffer(e);
      const read = fastReaderOf(e.kind, recordTypeOf(e.kind)) as NonNullable<ReturnType<typeof fastReaderOf>>;
      const c = new AvroCursor();
      c.end = body.length;
      const got = read(body, c);
      expect(c.pos).toBe(body.length);
      expect(JSON.stringify(got)).toBe(slow(e.kind, body));
    }
  });

  it('gives the same result or error as avsc for mangled bytes', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: events.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
      fc.integer({ min: -6, max: 3 }),
      (i, flips, resize) => {
        const e = events[i] as AnyEvent;
        let body = Buffer.from(recordTypeOf(e.kind).toBuffer(e));
        for (const [at, v] of flips) body[at % body.length] = v;
        if (resize < 0) body = body.subarray(0, Math.max(0, body.length + resize));
        else if (resize > 0) body = Buffer.concat([body, Buffer.alloc(resize, 7)]);
        expect(fast(e.kind, body)).toBe(slow(e.kind, body));
      },
    ), { numRuns: 3000 });
  });

  it('non-ASCII strings are read as avsc reads them (UTF-8, invalid bytes replaced)', () => {
    const e = { ...(SAMPLE_EVENTS[1] as AnyEvent & { kind: 'login' }), country: 'Ü', userAgent: 'Zürich \u{1F600}' };
    const body = Buffer.from(recordTypeOf('login').toBuffer(e));
    expect(fast('login', body)).toBe(slow('login', body));
    const at = body.indexOf(Buffer.from('Z\u00fc', 'utf8')) + 1;
    body[at] = 0xff;
    expect(fast('login', body)).toBe(slow('login', body));
  });
});

describe('interner', () => {
  it('gives the same string object for the same bytes, and the right string after a collision', () => {
    const t = new Interner();
    const a = Buffer.from('xxACC-1xxACC-1');
    const s1 = t.get(a, 2, 5);
    const s2 = t.get(a, 9, 5);
    expect(s1).toBe('ACC-1');
    expect(s2).toBe(s1);
    // Many distinct strings: every answer is still the right string.
    for (let i = 0; i < 20_000; i++) {
      const b = Buffer.from(`k${i}`);
      expect(t.get(b, 0, b.length)).toBe(`k${i}`);
    }
    expect(t.get(Buffer.from('é'), 0, 2)).toBeUndefined();
  });
});
