// The runner of the tools that replay a file (run_backtest, explain_key): checks the request
// (rules by id only, the file under the configured directory), caps it by the server's
// bounds, runs it on a worker thread (file-worker.ts), one at a time per server, and ends the
// thread if it outlives its wall-time bound.
import { realpathSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BacktestSettings } from '../config/mcp-settings.ts';
import { CepError } from '../core/errors.ts';
import type { ExplainOptions } from '../core/explain/explain.ts';
import { BUNDLED_RULES_DIR, bundledRuleIds } from '../rules/load-rules.ts';
import type { LoadedRule } from '../rules/load-rules.ts';
import type { BacktestDone, ExplainDone, WorkerDone, WorkerJob, WorkerReply } from './worker-protocol.ts';

export interface BacktestRequest {
  readonly rules: readonly string[];
  readonly file: string;
  readonly maxEvents?: number | undefined;
  readonly maxWallMs?: number | undefined;
  readonly sampleAlerts: number;
}

export interface BacktestRun extends BacktestDone {
  /** The file, relative to the backtest directory. */
  readonly file: string;
  readonly rules: readonly string[];
}

export interface ExplainRequest {
  readonly rule: string;
  readonly key: string;
  readonly file: string;
  readonly expect?: readonly string[] | undefined;
  readonly from?: number | undefined;
  readonly to?: number | undefined;
}

export interface ExplainFileRun extends ExplainDone {
  /** The file, relative to the backtest directory. */
  readonly file: string;
}

type DoneOf<J extends WorkerJob> = Extract<WorkerDone, { readonly kind: J['kind'] }>;

export type EngineSettings = NonNullable<ExplainOptions['engine']>;

const EVENT_FILE = new Set(['.avro', '.jsonl', '.ndjson']);
/** Time a worker gets past its bound (loading rules, writing the answer) before it is ended. */
const GRACE_MS = 5000;

export class FileJobs {
  private running = false;
  private readonly settings: BacktestSettings;
  private readonly modules: readonly LoadedRule[];
  private readonly engine: EngineSettings;
  private readonly cwd: string;

  constructor(settings: BacktestSettings, modules: readonly LoadedRule[], engine: EngineSettings, cwd: string = process.cwd()) {
    this.settings = settings;
    this.modules = modules;
    this.engine = engine;
    this.cwd = cwd;
  }

  private dir(): string {
    return realpathSync(resolve(this.cwd, this.settings.dir));
  }

  /** The real path of `file` under the backtest directory, or CEP_ERR_MCP_BACKTEST_FILE. */
  resolveFile(file: string): string {
    const bad = (why: string): CepError => new CepError('CEP_ERR_MCP_BACKTEST_FILE', `${file}: ${why}`);
    let dir: string;
    let real: string;
    try {
      dir = this.dir();
      real = realpathSync(resolve(dir, file));
    } catch {
      throw bad(`no such file under the backtest directory ${this.settings.dir}`);
    }
    if (!real.startsWith(dir + sep)) throw bad(`outside the backtest directory ${this.settings.dir}`);
    if (!EVENT_FILE.has(extname(real)) || !statSync(real).isFile()) throw bad('not an event file (.avro, .jsonl, .ndjson)');
    return real;
  }

  /** Module files for rule ids: the runner's loaded rules first, then the bundled ones. Never a path. */
  resolveRules(ids: readonly string[]): string[] {
    const bundled = new Set(bundledRuleIds());
    return [...new Set(ids.map((id) => {
      const loaded = this.modules.find((l) => l.rule.id === id);
      if (loaded !== undefined) return loaded.source;
      if (bundled.has(id)) return join(BUNDLED_RULES_DIR, `${id}.ts`);
      throw new CepError('CEP_ERR_API_RULE_NOT_FOUND', `no rule ${id}: backtests run loaded or bundled rules (list_rules)`);
    }))];
  }

  async backtest(req: BacktestRequest): Promise<BacktestRun> {
    const input = this.resolveFile(req.file);
    const files = this.resolveRules(req.rules);
    const ids = [...new Set(req.rules)];
    const done = await this.exclusive({
      kind: 'backtest', files, ids, input, sampleAlerts: req.sampleAlerts,
      maxEvents: Math.min(req.maxEvents ?? this.settings.maxEvents, this.settings.maxEvents),
      maxWallMs: Math.min(req.maxWallMs ?? this.settings.maxWallMs, this.settings.maxWallMs),
    });
    return { ...done, file: relative(this.dir(), input), rules: ids };
  }

  /**
   * `cepheus explain` over the file, for a rule the runner loaded: every loaded rule runs, with
   * the runner's engine options, within the server's bounds.
   */
  async explain(req: ExplainRequest): Promise<ExplainFileRun> {
    const input = this.resolveFile(req.file);
    if (!this.modules.some((l) => l.rule.id === req.rule)) {
      throw new CepError('CEP_ERR_API_RULE_NOT_FOUND', `no rule ${req.rule}: explain_key explains the rules this runner loaded (list_rules)`);
    }
    const done = await this.exclusive({
      kind: 'explain', files: [...new Set(this.modules.map((l) => l.source))], ids: this.modules.map((l) => l.rule.id), input,
      maxEvents: this.settings.maxEvents, maxWallMs: this.settings.maxWallMs, engine: this.engine,
      rule: req.rule, key: req.key, expect: req.expect ?? [], from: req.from, to: req.to,
    });
    return { ...done, file: relative(this.dir(), input) };
  }

  /** Runs `job` on a worker unless another job is running (CEP_ERR_MCP_BACKTEST_BUSY). */
  private async exclusive<J extends WorkerJob>(job: J): Promise<DoneOf<J>> {
    if (this.running) throw new CepError('CEP_ERR_MCP_BACKTEST_BUSY', 'another backtest or explain_key run is going on (one file job at a time per server); retry when it is done');
    this.running = true;
    try {
      // The worker answers a job with the result of its kind (file-worker.ts).
      return await inWorker(job, job.maxWallMs + GRACE_MS) as DoneOf<J>;
    } finally {
      this.running = false;
    }
  }
}

function inWorker(job: WorkerJob, killAfterMs: number): Promise<WorkerDone> {
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(new URL('./file-worker.ts', import.meta.url), { workerData: job, resourceLimits: { maxOldGenerationSizeMb: 1024 } });
    const fail = (message: string): void => reject(new CepError('CEP_ERR_MCP_BACKTEST_FAILED', message));
    const timer = setTimeout(() => {
      void worker.terminate();
      fail(`the ${job.kind} did not stop within ${killAfterMs} ms and was ended`);
    }, killAfterMs);
    worker.once('message', (reply: WorkerReply) => {
      clearTimeout(timer);
      void worker.terminate();
      if (reply.ok) resolvePromise(reply.done);
      else if (reply.code !== null) reject(new CepError(reply.code, reply.message));
      else fail(reply.message);
    });
    worker.once('error', (err) => {
      clearTimeout(timer);
      fail(err.message);
    });
    worker.once('exit', (code) => {
      clearTimeout(timer);
      fail(`the ${job.kind} worker exited (code ${code}) without a result`);
    });
  });
}
