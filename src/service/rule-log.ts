// The service's view of the control log (core/control-log.ts) and the one path a rule change
// takes into it:
//
//   API ─► reserve (seq, who, comment) ─► Rounds.changeRules: the next round goes alone, its
//          boundary B = the watermark every shard is at ─► shards apply it once W reaches B
//       ─► the commit of that round writes the change (and its bundle) to the control topic in
//          the same transaction as the round's alerts and offsets ─► committed: the API answers
//
// So a change is in the log exactly when the outputs computed under it are: a crash before the
// commit loses both (the caller is told to send it again), a crash after keeps both, and a
// recovery re-reading the input applies the change at the same B. Restores read the log again
// (every instance, every assignment). The local rules folder becomes the log's first bundle
// when the log is empty.
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { bundleKey, changeKey, CONTROL_FORMAT, EMPTY_RULE_SET, liveBundleOf, parseControlRecord, ruleSetOf } from '../core/control-log.ts';
import type { BundleRecord, ChangeAction, ChangeRecord, RuleRef, RuleSetView } from '../core/control-log.ts';
import { CepError } from '../core/errors.ts';
import { readCompacted } from '../kafka/compacted-reader.ts';
import type { OutputBatch, OutputRecord, TransactionalSink } from '../kafka/sink.ts';
import type { Bundle } from '../rules/bundle.ts';
import { materialize } from '../rules/bundle.ts';
import type { RuleChangeSpec } from '../workers/protocol.ts';
import type { PendingRuleChange } from '../workers/round-control.ts';

export interface RuleLogDeps {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly group: string;
  readonly cacheDir: string;
  readonly sink: Pick<TransactionalSink, 'commit'>;
  readonly log: Logger;
  readonly now: () => number;
  /** The control topic's end offset (cheap: no consumer group), to skip reading it again when nothing was written. */
  readonly endOffset: () => Promise<bigint>;
}

/** A change as asked for: what, by whom, why. */
export interface ChangeRequest {
  readonly action: ChangeAction;
  /** deploy: the bundle and the rules it loads; shadow: the candidate's bundle. */
  readonly bundle?: Bundle & { readonly rules: readonly RuleRef[] };
  /** enable / disable / shadow / promote / discard. */
  readonly rule?: string;
  readonly actor: string;
  readonly comment: string;
  readonly approvedBy?: string | null;
}

interface Waiter {
  readonly resolve: (c: ChangeRecord) => void;
  readonly reject: (err: unknown) => void;
}

export class RuleLog {
  private readonly d: RuleLogDeps;
  private changes: ChangeRecord[] = [];
  private readonly bundles = new Map<string, BundleRecord>();
  private readonly dirs = new Map<string, string>();
  /** Changes sent to the shards and not committed yet, by seq. */
  private readonly reserved = new Map<number, { record: Omit<ChangeRecord, 'at'>; bundle: BundleRecord | undefined; waiter: Waiter }>();
  /** The end offset the log held when last read or written by this instance (-1: unknown). */
  private seenEnd = -1n;

  constructor(d: RuleLogDeps) {
    this.d = d;
  }

  /** Reads the control topic to its end (read_committed) and materializes every bundle. */
  async read(): Promise<void> {
    const end = await this.d.endOffset();
    const table = await readCompacted(this.d.kafka, this.d.topic, { prefix: `${this.d.group}/`, header: 'cepheus.control', group: this.d.group });
    const changes: ChangeRecord[] = [];
    for (const [key, v] of table.latest) {
      const r = parseControlRecord(this.d.group, key, v.value.toString('utf8'));
      if (r?.type === 'bundle') this.bundles.set(r.hash, r);
      else if (r?.type === 'change') changes.push(r);
    }
    this.changes = changes.sort((a, b) => a.seq - b.seq);
    for (const c of this.changes) if ((c.action === 'deploy' || c.action === 'shadow') && !this.bundles.has(c.bundle ?? '')) throw new CepError('CEP_ERR_CONTROL_RECORD', `change ${c.seq} deploys bundle ${c.bundle ?? '(none)'}, which is not in the control topic ${this.d.topic}`);
    for (const b of this.bundles.values()) this.dirs.set(b.hash, materialize(b, this.d.cacheDir));
    this.seenEnd = end;
  }

  /** The committed rule set (the whole log). */
  view(): RuleSetView {
    return this.changes.length === 0 ? EMPTY_RULE_SET : ruleSetOf(this.changes, this.bundles);
  }

  history(): readonly ChangeRecord[] {
    return this.changes;
  }

  bundle(hash: string): BundleRecord | undefined {
    return this.bundles.get(hash);
  }

  /**
   * The log as the shards take it (restore.ts: InitTask.changes), read again when another
   * instance wrote to it since. Only then: a restore holds the consumer (no heartbeats), and a
   * consumer group join to read the topic costs seconds.
   */
  async specs(): Promise<RuleChangeSpec[]> {
    if (await this.d.endOffset() !== this.seenEnd) await this.read();
    return this.changes.map((c) => this.specOf(c));
  }

  /** With an empty log: writes `bundle` (the rules folder given at start) as change 1, from the start of time. */
  async ensureInitial(bundle: Bundle & { readonly rules: readonly RuleRef[] }): Promise<void> {
    if (this.changes.length > 0) {
      const v = this.view();
      if (v.bundle !== bundle.hash) this.d.log.warn({ deployed: v.bundle, version: v.version, local: bundle.hash }, 'the rules given at start differ from the bundle deployed in the control topic; the control topic wins (deploy them with cepheus rules deploy)');
      return;
    }
    const b = this.bundleRecord(bundle);
    const c: ChangeRecord = { ...this.draft({ action: 'deploy', bundle, actor: 'config', comment: 'the rules given at start' }, 1), at: null };
    await this.d.sink.commit([{ topic: this.d.topic, records: [this.bundleOut(b), this.changeOut(c)] }], [], this.d.group);
    this.bundles.set(b.hash, b);
    this.dirs.set(b.hash, materialize(b, this.d.cacheDir));
    this.changes = [c];
    this.seenEnd = await this.d.endOffset();
    this.d.log.info({ bundle: b.hash, rules: b.rules.length, topic: this.d.topic }, 'control topic was empty: wrote the rules given at start as bundle version 1');
  }

  /**
   * Reserves the next seq for a change; `committed` resolves once its round's commit wrote it
   * (CEP_ERR_RULE_CHANGE_FAILED if the run restores or stops first). One change at a time.
   */
  reserve(r: ChangeRequest): { spec: PendingRuleChange['change']; committed: Promise<ChangeRecord> } {
    if (this.reserved.size > 0) throw new CepError('CEP_ERR_STATE_UNAVAILABLE', 'another rule change is being applied; try again in a moment');
    const seq = (this.changes.at(-1)?.seq ?? 0) + 1;
    const record = this.draft(r, seq);
    const bundle = r.bundle === undefined || this.bundles.has(r.bundle.hash) ? undefined : this.bundleRecord(r.bundle);
    if (r.bundle !== undefined) this.dirs.set(r.bundle.hash, materialize(r.bundle, this.d.cacheDir));
    let waiter!: Waiter;
    const committed = new Promise<ChangeRecord>((resolve, reject) => {
      waiter = { resolve, reject };
    });
    this.reserved.set(seq, { record, bundle, waiter });
    const { at: _at, ...spec } = this.specOf({ ...record, at: null });
    return { spec, committed };
  }

  /** The control records of the changes a commit carries (with the boundaries their round gave them). */
  records(changes: readonly RuleChangeSpec[]): OutputBatch | undefined {
    const records: OutputRecord[] = [];
    for (const s of changes) {
      const r = this.reserved.get(s.seq);
      if (r === undefined) continue;
      if (r.bundle !== undefined) records.push(this.bundleOut(r.bundle));
      records.push(this.changeOut({ ...r.record, at: s.at }));
    }
    return records.length === 0 ? undefined : { topic: this.d.topic, records };
  }

  /** A commit carrying these changes went through. */
  committed(changes: readonly RuleChangeSpec[]): void {
    for (const s of changes) {
      const r = this.reserved.get(s.seq);
      if (r === undefined) continue;
      this.reserved.delete(s.seq);
      const c: ChangeRecord = { ...r.record, at: s.at };
      if (r.bundle !== undefined) this.bundles.set(r.bundle.hash, r.bundle);
      this.changes.push(c);
      r.waiter.resolve(c);
      // This instance is the log's one writer while it holds the partitions: what it wrote is known.
      void this.d.endOffset().then((e) => {
        if (this.reserved.size === 0) this.seenEnd = e;
      }, () => undefined);
    }
  }

  /** The run restores or stops: changes not committed are lost (never applied: their rounds are re-read without them). */
  abandon(why: string): void {
    for (const [, r] of this.reserved) r.waiter.reject(new CepError('CEP_ERR_RULE_CHANGE_FAILED', `the rule change was not committed (${why}); nothing changed: send it again`));
    this.reserved.clear();
  }

  private draft(r: ChangeRequest, seq: number): Omit<ChangeRecord, 'at'> {
    const view = this.view();
    const rule = r.rule ?? null;
    const live = rule === null ? null : liveBundleOf(view, rule);
    const candidate = r.action === 'shadow' ? r.bundle?.hash ?? null : view.shadows.find((s) => s.rule === rule)?.bundle ?? null;
    const [bundle, before, after] = ((): [string | null, string | null, string | null] => {
      switch (r.action) {
        case 'deploy': return [r.bundle?.hash ?? null, view.bundle, r.bundle?.hash ?? null];
        case 'enable': case 'disable': return [null, view.bundle, view.bundle];
        case 'shadow': case 'promote': return [candidate, live, candidate];
        case 'discard': return [candidate, candidate, live];
        default: {
          const never: never = r.action;
          throw new Error(`unknown change ${String(never)}`);
        }
      }
    })();
    return {
      type: 'change', format: CONTROL_FORMAT, seq, action: r.action, bundle, rule,
      version: view.version + (r.action === 'deploy' ? 1 : 0), actor: r.actor, time: this.d.now(), comment: r.comment, approvedBy: r.approvedBy ?? null,
      before, after,
    };
  }

  private specOf(c: ChangeRecord): RuleChangeSpec {
    const ruleId = c.rule ?? '';
    switch (c.action) {
      case 'deploy': {
        const hash = c.bundle ?? '';
        return { kind: 'deploy', seq: c.seq, at: c.at, hash, dir: this.dirs.get(hash) ?? '' };
      }
      case 'enable': case 'disable': return { kind: 'switch', seq: c.seq, at: c.at, ruleId, enabled: c.action === 'enable' };
      case 'shadow': {
        const hash = c.bundle ?? '';
        return { kind: 'shadow', seq: c.seq, at: c.at, ruleId, hash, dir: this.dirs.get(hash) ?? '' };
      }
      case 'promote': case 'discard': return { kind: c.action, seq: c.seq, at: c.at, ruleId };
      default: {
        const never: never = c.action;
        throw new Error(`unknown change ${String(never)}`);
      }
    }
  }

  private bundleRecord(b: Bundle & { readonly rules: readonly RuleRef[] }): BundleRecord {
    return { type: 'bundle', format: CONTROL_FORMAT, hash: b.hash, files: b.files, rules: b.rules.map((r) => ({ id: r.id, version: r.version })), bytes: b.bytes };
  }

  private bundleOut(b: BundleRecord): OutputRecord {
    return { key: bundleKey(this.d.group, b.hash), value: Buffer.from(JSON.stringify(b)), headers: { 'cepheus.control': 'bundle' } };
  }

  private changeOut(c: ChangeRecord): OutputRecord {
    return { key: changeKey(this.d.group, c.seq), value: Buffer.from(JSON.stringify(c)), headers: { 'cepheus.control': c.action } };
  }
}
