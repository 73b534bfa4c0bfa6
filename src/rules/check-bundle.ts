// What a bundle must pass before it is deployed, in order, stopping at the first failure with
// its code (nothing changes when one fails): the size limit, the type check (the rule kit's
// checker: `cepheus check`), loading (a module that throws, exports no rule), rule validation,
// and a dry run over the bundled fixture in which no rule may throw.
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CepError, isErrorCode } from '../core/errors.ts';
import type { RuleRef } from '../core/control-log.ts';
import { readEvents } from '../io/read-events.ts';
import { replay } from '../replay/replay.ts';
import type { Bundle } from './bundle.ts';
import { checkBundleSize, materialize } from './bundle.ts';
import { assertRulesTypeCheck, loadRules, ruleFilesIn } from './load-rules.ts';

/** The labelled fixture shipped with Cepheus: the dry run's default input. */
export const DRY_RUN_FIXTURE = fileURLToPath(new URL('../../fixtures/default.avro', import.meta.url));

export interface BundleCheckOptions {
  readonly maxBundleBytes: number;
  readonly cacheDir: string;
  /** The dry run's input (an event file). */
  readonly fixture: string;
  readonly typeCheck?: boolean;
}

export interface CheckedBundle {
  readonly dir: string;
  readonly rules: readonly RuleRef[];
  /** The dry run: events read and alerts per rule. */
  readonly dryRun: { readonly events: number; readonly alertsByRule: Readonly<Record<string, number>> };
}

export async function checkBundle(b: Bundle, o: BundleCheckOptions): Promise<CheckedBundle> {
  checkBundleSize(b, o.maxBundleBytes);
  const dir = materialize(b, o.cacheDir);
  const files = ruleFilesIn(dir);
  if (files.length === 0) throw new CepError('CEP_ERR_BUNDLE_EMPTY', 'the bundle has no rule module at its top level (rule modules: .ts .mts .js .mjs, not tests, not starting with _)');
  if (o.typeCheck ?? true) {
    try {
      await assertRulesTypeCheck(files, dir);
    } catch (err) {
      if (!(err instanceof CepError) || err.code !== 'CEP_ERR_RULE_TYPE') throw err;
      throw new CepError('CEP_ERR_RULE_TYPE', `${err.details.length} type error${err.details.length === 1 ? '' : 's'} in the bundle; nothing was deployed`, err.details);
    }
  }
  const loaded = await loadRules([dir], dir, { typeCheck: false });
  const errors: string[] = [];
  const summary = await replay(readEvents(o.fixture), {
    rules: loaded.map((l) => l.rule),
    onEffect: (f) => {
      if (f.kind === 'rule-error' && errors.length < 5) errors.push(`${f.ruleId} on event ${f.eventId} (key ${f.key}): ${f.error}`);
    },
  });
  if (summary.ruleErrors > 0) {
    throw new CepError('CEP_ERR_BUNDLE_INVALID', `the dry run over ${o.fixture} raised ${summary.ruleErrors} rule error(s); nothing was deployed`, errors);
  }
  return { dir, rules: loaded.map((l) => ({ id: l.rule.id, version: l.rule.version })), dryRun: { events: summary.events, alertsByRule: summary.alertsByRule } };
}

type Reply = { readonly ok: true; readonly checked: CheckedBundle } | { readonly ok: false; readonly code: string; readonly message: string; readonly details: readonly string[] };

/**
 * checkBundle on a thread of its own: the type check and the dry run take seconds of CPU, which
 * on the service's main thread would stall the Kafka client (its session would time out).
 */
export function checkBundleOffThread(b: Bundle, o: BundleCheckOptions): Promise<CheckedBundle> {
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(new URL('./check-bundle-worker.ts', import.meta.url), { workerData: { bundle: b, options: o } });
    worker.once('message', (r: Reply) => {
      void worker.terminate();
      if (r.ok) resolvePromise(r.checked);
      else reject(isErrorCode(r.code) ? new CepError(r.code, stripCode(r.message, r.code), r.details) : new Error(r.message));
    });
    worker.once('error', reject);
  });
}

const stripCode = (message: string, code: string): string => message.replace(`${code}: `, '').split('\n  - ')[0] as string;

/** Runs in the worker (check-bundle-worker.ts). */
export async function checkInThisThread(data: { bundle: Bundle; options: BundleCheckOptions }): Promise<Reply> {
  try {
    return { ok: true, checked: await checkBundle(data.bundle, data.options) };
  } catch (err) {
    if (err instanceof CepError) return { ok: false, code: err.code, message: err.message, details: err.details };
    return { ok: false, code: '', message: err instanceof Error ? err.message : String(err), details: [] };
  }
}
