// The backtest tool's runner: checks the request (rules must be loaded or bundled, the file
// must live under the configured directory), caps it by the server's bounds, runs it on a
// worker thread (backtest-worker.ts), one at a time per server, and ends the thread if it
// outlives its wall-time bound.
import { realpathSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BacktestSettings } from '../config/mcp-settings.ts';
import { CepError } from '../core/errors.ts';
import { BUNDLED_RULES_DIR, bundledRuleIds } from '../rules/load-rules.ts';
import type { LoadedRule } from '../rules/load-rules.ts';
import type { BacktestDone, BacktestJob, BacktestReply } from './backtest-worker.ts';

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

const EVENT_FILE = new Set(['.avro', '.jsonl', '.ndjson']);
/** Time a worker gets past its bound (loading rules, writing the summary) before it is ended. */
const GRACE_MS = 5000;

export class BacktestRunner {
  private running = false;
  private readonly settings: BacktestSettings;
  private readonly modules: readonly LoadedRule[];
  private readonly cwd: string;

  constructor(settings: BacktestSettings, modules: readonly LoadedRule[], cwd: string = process.cwd()) {
    this.settings = settings;
    this.modules = modules;
    this.cwd = cwd;
  }

  /** The real path of `file` under the backtest directory, or CEP_ERR_MCP_BACKTEST_FILE. */
  resolveFile(file: string): string {
    const bad = (why: string): CepError => new CepError('CEP_ERR_MCP_BACKTEST_FILE', `${file}: ${why}`);
    let dir: string;
    let real: string;
    try {
      dir = realpathSync(resolve(this.cwd, this.settings.dir));
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

  async run(req: BacktestRequest): Promise<BacktestRun> {
    const input = this.resolveFile(req.file);
    const files = this.resolveRules(req.rules);
    if (this.running) throw new CepError('CEP_ERR_MCP_BACKTEST_BUSY', 'another backtest is running; retry when it is done');
    this.running = true;
    try {
      const job: BacktestJob = {
        files, ids: [...new Set(req.rules)], input, sampleAlerts: req.sampleAlerts,
        maxEvents: Math.min(req.maxEvents ?? this.settings.maxEvents, this.settings.maxEvents),
        maxWallMs: Math.min(req.maxWallMs ?? this.settings.maxWallMs, this.settings.maxWallMs),
      };
      const done = await inWorker(job, job.maxWallMs + GRACE_MS);
      return { ...done, file: relative(realpathSync(resolve(this.cwd, this.settings.dir)), input), rules: job.ids };
    } finally {
      this.running = false;
    }
  }
}

function inWorker(job: BacktestJob, killAfterMs: number): Promise<BacktestDone> {
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(new URL('./backtest-worker.ts', import.meta.url), { workerData: job, resourceLimits: { maxOldGenerationSizeMb: 1024 } });
    const fail = (message: string): void => reject(new CepError('CEP_ERR_MCP_BACKTEST_FAILED', message));
    const timer = setTimeout(() => {
      void worker.terminate();
      fail(`the backtest did not stop within ${killAfterMs} ms and was ended`);
    }, killAfterMs);
    worker.once('message', (reply: BacktestReply) => {
      clearTimeout(timer);
      void worker.terminate();
      if (reply.ok) resolvePromise(reply.done);
      else fail(reply.message);
    });
    worker.once('error', (err) => {
      clearTimeout(timer);
      fail(err.message);
    });
    worker.once('exit', (code) => {
      clearTimeout(timer);
      fail(`the backtest worker exited (code ${code}) without a result`);
    });
  });
}
