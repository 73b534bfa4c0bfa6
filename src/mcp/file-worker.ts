// The worker thread of the tools that replay a file (run_backtest, explain_key): one job per
// thread, its answer or its failure (with our code when it has one) posted back. A thread, so
// a long replay never holds the server's event loop, and the server can end it outright.
import { parentPort, workerData } from 'node:worker_threads';
import { CepError } from '../core/errors.ts';
import { runBacktest } from './backtest-job.ts';
import { runExplain } from './explain-job.ts';
import type { WorkerDone, WorkerJob, WorkerReply } from './worker-protocol.ts';

export function runJob(job: WorkerJob): Promise<WorkerDone> {
  switch (job.kind) {
    case 'backtest': return runBacktest(job);
    case 'explain': return runExplain(job);
    default: {
      const never: never = job;
      return Promise.reject(new Error(`unknown job ${JSON.stringify(never)}`));
    }
  }
}

if (parentPort !== null && workerData !== null && typeof workerData === 'object' && 'kind' in workerData) {
  const port = parentPort;
  runJob(workerData as WorkerJob).then(
    (done) => port.postMessage({ ok: true, done } satisfies WorkerReply),
    (err: unknown) => port.postMessage((err instanceof CepError
      ? { ok: false, code: err.code, message: err.detail }
      : { ok: false, code: null, message: err instanceof Error ? err.message : String(err) }) satisfies WorkerReply),
  );
}
