// The service's rule lifecycle behind the API: deploy a bundle (validated first, refused whole
// with a coded error), enable / disable a rule. Each is a change in the control log
// (rule-log.ts), sent to every shard with the next round, applied at the boundary that round
// gives it (the watermark every shard is at), answered once its commit went through, and
// recorded in the audit log with the token's name.
import type { Logger } from 'pino';
import { diffRules } from '../core/control-log.ts';
import type { ChangeRecord } from '../core/control-log.ts';
import { CepError } from '../core/errors.ts';
import type { BundleControl, DeployResult } from '../http/rule-control.ts';
import type { Bundle } from '../rules/bundle.ts';
import { bundleOf, checkBundleSize } from '../rules/bundle.ts';
import type { CheckedBundle } from '../rules/check-bundle.ts';
import type { AuditLog } from '../store/audit-log.ts';
import type { Pipeline } from './pipeline.ts';
import type { ChangeRequest, RuleLog } from './rule-log.ts';

export interface RuleChangeDeps {
  readonly pipeline: Pick<Pipeline, 'heldRun' | 'mode'>;
  readonly ruleLog: RuleLog;
  readonly maxBundleBytes: number;
  /** Type check, load, validation, dry run (rules/check-bundle.ts). */
  readonly check: (b: Bundle) => Promise<CheckedBundle>;
  readonly audit: AuditLog | undefined;
  readonly log: Logger;
  readonly now: () => number;
}

export interface ServiceRuleChanges extends BundleControl {
  setEnabled(id: string, enabled: boolean, actor: string): Promise<boolean>;
}

const iso = (at: number | null): string => (at === null ? 'the start' : new Date(at).toISOString());

export function serviceRuleChanges(d: RuleChangeDeps): ServiceRuleChanges {
  /** Sends a change to the shards with the next round; resolves once committed. */
  const apply = async (req: ChangeRequest): Promise<ChangeRecord> => {
    const run = d.pipeline.heldRun();
    if (run === undefined || d.pipeline.mode !== 'live') {
      throw new CepError('CEP_ERR_STATE_UNAVAILABLE', `a rule change needs the instance live (holding the partitions, not recovering); it is ${d.pipeline.mode}: try again once /readyz says ready, or ask the active instance`);
    }
    const { spec, committed } = d.ruleLog.reserve(req);
    const sent = run.rounds.changeRules(spec);
    void run.dispatcher.dispatch(true);
    try {
      await sent;
    } catch (err) {
      d.ruleLog.abandon(err instanceof Error ? err.message : String(err));
    }
    const c = await committed;
    d.audit?.append({
      at: d.now(), actor: c.actor, action: `rules.${c.action}`, target: c.action === 'deploy' ? `bundle v${c.version}` : `rule ${c.rule ?? ''}`,
      before: { bundle: c.before }, after: { bundle: c.after, seq: c.seq, boundary: c.at, ...(c.rule === null ? {} : { rule: c.rule }) }, comment: c.comment,
    });
    d.log.info({ seq: c.seq, action: c.action, rule: c.rule, bundle: c.after, version: c.version, actor: c.actor, boundary: c.at }, `rule change ${c.seq} (${c.action}${c.rule === null ? '' : ` ${c.rule}`}) committed: applies at event time ${iso(c.at)} on every shard`);
    return c;
  };

  return {
    async deploy(files, actor, comment): Promise<DeployResult> {
      const bundle = bundleOf(files);
      checkBundleSize(bundle, d.maxBundleBytes);
      const before = d.ruleLog.view();
      if (before.bundle === bundle.hash) throw new CepError('CEP_ERR_BUNDLE_UNCHANGED', `bundle ${bundle.hash} is the one in force (version ${before.version}); nothing to deploy`);
      const checked = await d.check(bundle);
      const change = await apply({ action: 'deploy', bundle: { ...bundle, rules: checked.rules }, actor, comment });
      return { change, diff: diffRules(before.rules, checked.rules), dryRun: checked.dryRun };
    },
    async setEnabled(id, enabled, actor): Promise<boolean> {
      if (!d.ruleLog.view().rules.some((r) => r.id === id)) return false;
      await apply({ action: enabled ? 'enable' : 'disable', rule: id, actor, comment: '' });
      return true;
    },
    history: () => ({ current: d.ruleLog.view(), changes: d.ruleLog.history() }),
    bundle: (hash) => d.ruleLog.bundle(hash),
  };
}
