// The service's health as the pipeline learns it: broker evidence, commit and restore failure
// streaks, the watermark's track. It decides nothing itself (readiness.ts, broker-health.ts,
// watermark-health.ts do, as pure functions); it keeps the state, counts for /metrics, and
// logs each change once, with a code when something is wrong:
//
//   CEP_ERR_KAFKA_UNREACHABLE   the broker became unreachable (and "broker reachable again")
//   CEP_ERR_COMMIT_FAILED / CEP_ERR_COMMIT_TOO_LARGE, CEP_ERR_RESTORE_FAILED   each failure
//   "commits succeed again", "watermark stalled / far ahead" and "... moves again" on changes
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import { brokerError, brokerEvidence, brokerOk, brokerUnreachable } from './broker-health.ts';
import type { BrokerEvidence } from './broker-health.ts';
import { NO_FAILURES, failedAgain } from './commit-failure.ts';
import type { HealthLevels } from './counters.ts';
import type { CommitFailure, FailureStreak } from './commit-failure.ts';
import { readiness } from './readiness.ts';
import type { HealthBounds, Readiness } from './readiness.ts';
import type { Status } from './service-state.ts';
import { trackWatermark, watermarkReasons } from './watermark-health.ts';
import type { WatermarkTrack } from './watermark-health.ts';

/** What a check reads of the pipeline. */
export interface PipelineView {
  readonly status: Status;
  readonly lag: number;
  /** The current run's watermark (undefined without a run). */
  readonly watermark: number | undefined;
  readonly lastInput: number;
}

export class Health {
  private broker: BrokerEvidence;
  private commits: FailureStreak = NO_FAILURES;
  private restores: FailureStreak = NO_FAILURES;
  private watermark: WatermarkTrack | undefined;
  private readonly bounds: HealthBounds;
  private readonly log: Logger;
  /** What was last logged as wrong: a change is logged once. */
  private said = { broker: false, time: '' };
  /** Failed commits by cause, failed restore attempts: since the process started. */
  readonly commitFailures = new Map<string, number>();
  restoreFailures = 0;

  constructor(config: Pick<Config, 'roundMaxValues' | 'health'>, log: Logger, now: number) {
    this.bounds = {
      roundMaxValues: config.roundMaxValues, brokerTimeoutMs: config.health.brokerTimeoutMs,
      stallMs: config.health.watermarkStallMs, aheadMs: config.health.watermarkAheadMs,
    };
    this.log = log;
    this.broker = brokerEvidence(now);
  }

  /** The broker answered (a fetch, a commit, a restore, an offsets query). */
  ok(now: number): void {
    this.broker = brokerOk(this.broker, now);
    if (this.said.broker) {
      this.said.broker = false;
      this.log.info('broker reachable again');
    }
  }

  /** Something said the broker could not be reached. */
  error(now: number, message: string): void {
    this.broker = brokerError(this.broker, now, message);
  }

  /** A commit failed; the retry comes in `waitMs`. Returns the streak so far. */
  commitFailed(now: number, f: CommitFailure, waitMs: number, err: unknown): FailureStreak {
    this.commits = failedAgain(this.commits, now, f.reason, waitMs);
    this.commitFailures.set(f.cause, (this.commitFailures.get(f.cause) ?? 0) + 1);
    if (f.cause === 'unreachable') this.error(now, f.reason);
    this.log.error({ code: f.code, cause: f.cause, failures: this.commits.count, retryInMs: waitMs, ...(f.record === undefined ? {} : { record: f.record }), err },
      `commit failed (${this.commits.count} in a row): ${f.reason}; restoring the last checkpoint${waitMs > 0 ? ` in ${Math.round(waitMs / 1000)} s` : ''} and trying again`);
    return this.commits;
  }

  /** A transaction went through. */
  committed(now: number): void {
    this.ok(now);
    if (this.commits.count === 0) return;
    this.log.info({ failures: this.commits.count, since: new Date(this.commits.since).toISOString() }, 'commits succeed again');
    this.commits = NO_FAILURES;
  }

  get commitStreak(): number {
    return this.commits.count;
  }

  restoreFailed(now: number, reason: string, waitMs: number, connection: boolean, err: unknown): void {
    this.restores = failedAgain(this.restores, now, reason, waitMs);
    this.restoreFailures++;
    if (connection) this.error(now, reason);
    this.log.error({ code: 'CEP_ERR_RESTORE_FAILED', failures: this.restores.count, retryInMs: waitMs, err },
      `restoring the checkpoint failed (${this.restores.count} in a row): ${reason}; trying again in ${Math.round(waitMs / 1000)} s`);
  }

  restored(now: number): void {
    this.ok(now);
    this.restores = NO_FAILURES;
    // A new run: its event time is judged afresh (a restore is neither a stall nor the end of one).
    this.watermark = undefined;
    this.said.time = '';
  }

  /** Periodic: follows the watermark and logs what changed (the broker's reachability, event time). */
  check(now: number, p: PipelineView): void {
    this.watermark = p.watermark === undefined ? undefined : trackWatermark(this.watermark, now, p.watermark);
    const broker = brokerUnreachable(this.broker, now, this.bounds.brokerTimeoutMs);
    if (broker !== undefined && !this.said.broker) {
      this.said.broker = true;
      this.log.error({ code: 'CEP_ERR_KAFKA_UNREACHABLE' }, broker);
    }
    // Judged while live only: leaving live (a restore, a rebalance) does not make event time move.
    if (p.status !== 'live') return;
    const time = watermarkReasons(this.watermark, now, p.lastInput, this.bounds);
    const kinds = time.map((r) => r.slice(0, r.indexOf(':'))).join(', ');
    if (kinds !== this.said.time) {
      if (kinds === '') this.log.info('event time moves again');
      else this.log.warn(time.join('; '));
      this.said.time = kinds;
    }
  }

  readiness(now: number, p: PipelineView): Readiness {
    // The watermark as it is now; how long it stood still, from the periodic checks.
    const watermark = p.watermark === undefined ? undefined : trackWatermark(this.watermark, now, p.watermark);
    return readiness({ status: p.status, lag: p.lag, broker: this.broker, commits: this.commits, restores: this.restores, watermark, lastInput: p.lastInput }, now, this.bounds);
  }

  /** What /metrics exports of it. */
  levels(now: number): HealthLevels {
    return {
      brokerUnreachable: brokerUnreachable(this.broker, now, this.bounds.brokerTimeoutMs) === undefined ? 0 : 1,
      commitFailuresInARow: this.commits.count, commitFailures: this.commitFailures, restoreFailures: this.restoreFailures,
    };
  }
}

