// Commits on a simulated clock: when a checkpoint is due (interval with something uncommitted,
// requests, final), which requests a checkpoint covers (not one made after its cut), what
// offsets and checkpoint streams a commit writes, and the committer's transactions: outputs
// and offsets, plus the checkpoint when due; nothing when there is nothing; fencing and
// failures reported; a retired run commits nothing.
import { describe, expect, it } from 'vitest';
import { deflateRawSync } from 'node:zlib';
import { validateConfig } from '../../../src/config/config.ts';
import type { Alert } from '../../../src/core/alert.ts';
import type { OffsetCommit, OutputBatch } from '../../../src/kafka/sink.ts';
import { partKeys } from '../../../src/service/checkpoint.ts';
import {
  Committer, advanceCommittable, checkpointDue, checkpointStreams, checkpointWritten, offsetsToCommit, openBook, requestCheckpoint, uncommitted,
} from '../../../src/service/commit.ts';
import type { CommitRounds } from '../../../src/service/commit.ts';
import type { Committed } from '../../../src/service/counters.ts';
import type { RoundTag } from '../../../src/service/dispatch.ts';
import { startStream } from '../../../src/service/stream-table.ts';
import type { Cut, RoundsOutput, Taken } from '../../../src/workers/rounds.ts';
import { capturingLog } from './support/fake-kafka.ts';

const config = validateConfig({ kafka: { brokers: ['h:1'], groupId: 'g' }, topics: { login: { topic: 'in', format: 'avro' } }, output: { alerts: 'al', deadLetter: 'dl', state: 'st' }, snapshotIntervalMs: 1000 });
const streams = () => [0, 1].map((p) => startStream(p, { topic: 'in', partition: p }, 'avro', 10, 10, 50, 0));
const empty = (): RoundsOutput => ({ alerts: [], rejected: [], late: [], ruleErrors: [], overflowDropped: 0, values: 0 });

describe('when a checkpoint is due', () => {
  it('every interval while something is uncommitted, on request, and at the end', () => {
    const book = openBook('g', { id: 3, parts: [2] }, 1000);
    expect(book).toEqual({ id: 3, keys: new Set(['g/snap/0/0', 'g/snap/0/1']), at: 1000, requested: 0, covered: 0 });
    expect(openBook('g', undefined, 5)).toEqual({ id: 0, keys: new Set(), at: 5, requested: 1, covered: 0 });
    const due = (b: typeof book, now: number, o: { final?: boolean; uncommitted?: boolean } = {}) => checkpointDue(b, { final: o.final ?? false, now, intervalMs: 1000, uncommitted: o.uncommitted ?? true });
    expect([due(book, 1999), due(book, 2000), due(book, 5000, { uncommitted: false }), due(book, 1000, { final: true, uncommitted: false }), due(requestCheckpoint(book), 1000, { uncommitted: false })])
      .toEqual([false, true, false, true, true]);
  });

  it('a checkpoint covers the requests made before it was drawn, not one made while it was written', () => {
    const drawn = requestCheckpoint(openBook('g', undefined, 0)); // 2 requests when the cut is drawn
    const during = requestCheckpoint(drawn); // a third while it is written
    const written = checkpointWritten(during, new Set(['g/snap/0/0']), drawn.requested, 700);
    expect(written).toEqual({ id: 1, keys: new Set(['g/snap/0/0']), at: 700, requested: 3, covered: 2 });
    expect(checkpointDue(written, { final: false, now: 700, intervalMs: 1000, uncommitted: false })).toBe(true);
    expect(checkpointDue(checkpointWritten(written, new Set(), 3, 800), { final: false, now: 800, intervalMs: 1000, uncommitted: false })).toBe(false);
  });
});

describe('what a commit writes', () => {
  it('offsets after the taken rounds, and the checkpoint streams at the cut', () => {
    const s = streams();
    expect(uncommitted(s)).toBe(false);
    (s[0] as (typeof s)[number]).dispatched = 30;
    expect(uncommitted(s)).toBe(true);
    advanceCommittable(s, [{ positions: [[0, 20]] }, { positions: [[0, 30], [1, 10]] }, { positions: [[7, 1]] }]);
    expect(offsetsToCommit(s)).toEqual([{ topic: 'in', partition: 0, offset: 30n }]);
    expect(checkpointStreams(s, { maxTs: [500, -Infinity], active: [true, false] })).toEqual([
      { topic: 'in', partition: 0, offset: '30', maxTs: 500, active: true },
      { topic: 'in', partition: 1, offset: '10', maxTs: null, active: false },
    ]);
  });
});

/** Rounds with one done round (stream 0 read to 20) and a cut after it. */
function fakeRounds(output: RoundsOutput, onCut: () => void = () => undefined): CommitRounds & { calls: string[] } {
  const calls: string[] = [];
  let left = true;
  return {
    calls,
    take: (through?: number): Taken<RoundTag> => {
      calls.push(`take ${through ?? 'all'}`);
      const t = left ? { output, tags: [{ positions: [[0, 20]] as const }], through: 1 } : { output: empty(), tags: [], through: 0 };
      left = false;
      return t;
    },
    cut: async (): Promise<Cut> => {
      calls.push('cut');
      onCut();
      return { through: 1, snapshots: Promise.resolve([new Uint8Array([1, 2, 3])]), maxTs: [900, -Infinity], active: [true, true], watermark: 400 };
    },
    completedThrough: async (id: number) => {
      calls.push(`completed ${id}`);
    },
  };
}

function committer(rounds: CommitRounds, o: { live?: () => boolean; fail?: Error; book?: ReturnType<typeof openBook> } = {}) {
  const transactions: { batches: { topic: string; keys: string[] }[]; offsets: OffsetCommit[] }[] = [];
  const events: string[] = [];
  const committed: Committed[] = [];
  const { log, lines } = capturingLog();
  const clock = 5000;
  const c = new Committer({
    streams: streams(), rounds, dispatcher: { cutAfterPending: (f) => f() }, config, rules: [{ id: 'r', version: 1 }],
    sink: {
      commit: async (batches: readonly OutputBatch[], offsets: readonly OffsetCommit[]) => {
        if (o.fail !== undefined) throw o.fail;
        transactions.push({ batches: batches.map((b) => ({ topic: b.topic, keys: b.records.map((r) => String(r.key)) })), offsets: [...offsets] });
      },
    },
    encodeAlert: async (a: Alert) => Buffer.from(a.id), log, now: () => clock, live: o.live ?? (() => true),
    committed: (x) => committed.push(x), failed: (err) => events.push(`failed: ${(err as Error).message}`), fenced: (err) => events.push(`fenced: ${err.code}`),
  }, o.book ?? openBook('g', { id: 3, parts: [1, 1] }, 4900));
  return { c, transactions, events, committed, lines };
}

describe('the committer', () => {
  const alert = { id: 'al_1', key: 'AC1', ruleId: 'r', ruleVersion: 1 } as unknown as Alert;

  it('commits the done rounds\' outputs and offsets; no checkpoint before it is due', async () => {
    const out = { ...empty(), alerts: [alert], values: 20 };
    const rounds = fakeRounds(out);
    const t = committer(rounds);
    await t.c.commit(false);
    await t.c.commit(false); // nothing new: no transaction
    expect({ calls: rounds.calls, transactions: t.transactions, events: t.events, committed: t.committed, book: t.c.checkpoints }).toEqual({
      calls: ['take all', 'take all'],
      transactions: [{ batches: [{ topic: 'al', keys: ['AC1'] }, { topic: 'dl', keys: [] }], offsets: [{ topic: 'in', partition: 0, offset: 20n }] }],
      events: [],
      committed: [{ output: out, deadLetters: 0, late: 0, codes: new Map(), checkpointBytes: undefined }],
      book: { id: 3, keys: new Set(['g/snap/0/0', 'g/snap/1/0']), at: 4900, requested: 0, covered: 0 },
    });
  });

  it('adds a checkpoint when requested: cut, snapshots, the stream positions at the cut; a request made meanwhile stays due', async () => {
    let duringCut = (): void => undefined;
    const rounds = fakeRounds(empty(), () => duringCut());
    const t = committer(rounds);
    duringCut = () => t.c.requestCheckpoint();
    t.c.requestCheckpoint();
    await t.c.commit(false);
    const snap = new Uint8Array(deflateRawSync(new Uint8Array([1, 2, 3])));
    expect({ calls: rounds.calls, transactions: t.transactions, bytes: t.committed.map((c) => c.checkpointBytes), book: t.c.checkpoints }).toEqual({
      calls: ['cut', 'completed 1', 'take 1'],
      transactions: [{
        batches: [{ topic: 'al', keys: [] }, { topic: 'dl', keys: [] }, { topic: 'st', keys: ['g/snap/0/0', 'g/snap/1/0', 'g/manifest'] }],
        offsets: [{ topic: 'in', partition: 0, offset: 20n }],
      }],
      bytes: [snap.length],
      book: { id: 4, keys: partKeys('g', [1]), at: 5000, requested: 2, covered: 1 },
    });
  });

  it('reports a fenced commit and a failed one, and commits nothing for a retired run', async () => {
    const fenced = committer(fakeRounds({ ...empty(), values: 1 }), { fail: Object.assign(new Error('fenced'), { type: 'PRODUCER_FENCED' }) });
    await fenced.c.commit(false);
    const failed = committer(fakeRounds({ ...empty(), values: 1 }), { fail: new Error('broker down') });
    await failed.c.commit(false);
    const retiredRounds = fakeRounds({ ...empty(), values: 1 });
    const retired = committer(retiredRounds, { live: () => false });
    await retired.c.commit(true);
    expect({
      events: [fenced.events, failed.events, retired.events], logged: failed.lines.map((l) => [l.msg, (l.err as { message: string }).message]),
      committed: [fenced.committed, failed.committed, retired.committed], retiredCalls: retiredRounds.calls,
    }).toEqual({
      events: [['fenced: CEP_ERR_FENCED'], ['failed: broker down'], []], logged: [['commit failed; restoring the last checkpoint', 'broker down']],
      committed: [[], [], []], retiredCalls: [],
    });
  });

  it('runs one commit at a time; a final one asked meanwhile runs after it, with a checkpoint', async () => {
    const rounds = fakeRounds({ ...empty(), values: 1 });
    const t = committer(rounds);
    const a = t.c.commit(false);
    const b = t.c.commit(false);
    const final = t.c.commit(true);
    await Promise.all([a, b, final]);
    await t.c.settled();
    expect({ calls: rounds.calls, transactions: t.transactions.map((x) => x.batches.map((y) => y.topic)) }).toEqual({
      calls: ['take all', 'cut', 'completed 1', 'take 1'],
      transactions: [['al', 'dl'], ['al', 'dl', 'st']],
    });
  });
});
