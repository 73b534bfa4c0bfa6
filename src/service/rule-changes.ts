// The service's rule lifecycle behind the API: deploy a bundle (validated first, refused whole
// with a coded error), enable / disable a rule. Each is a change in the control log
// (rule-log.ts), sent to every shard with the next round, applied at the boundary that round
// gives it (the watermark every shard is at), answered once its commit went through, and
// recorded in the audit log with the token's name. Shadow mode (start a candidate, promote it,
// discard it) takes the same path: each is a change of the control log.

import type { Logger } from 'pino';
import { diffRules } from '../core/control-log.ts';
import type { RuleInfo } from '../core/engine/index.ts';
import { diffAlertOf, shadowDiff } from '../core/shadow.ts';
import type { AlertStore } from '../store/alert-store.ts';
import type { ChangeRecord } from '../core/control-log.ts';
import { CepError } from '../core/errors.ts';
import type { BundleControl, DeployResult, ProposalView, ShadowReport, ShadowResult } from '../http/rule-control.ts';
import { decideProposal, proposalAt } from '../core/approvals.ts';
import type { Proposal } from '../core/approvals.ts';
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
  /** 2: four eyes (core/approvals.ts). */
  readonly approvals: 1 | 2;
  readonly proposalTtlMs: number;
  /** Shadow mode: where the shadow diff reads live and shadow alerts, and the candidates' engines as the shards list them. */
  readonly store?: Pick<AlertStore, 'alertsOf' | 'shadowAlerts'>;
  readonly shadowRules?: () => readonly RuleInfo[];
}

/** A change waiting for approval, with what its deploy's validation said. */
interface Pending {
  readonly request: ChangeRequest;
  readonly diff?: DeployResult['diff'];
  readonly dryRun?: DeployResult['dryRun'];
}

export interface ServiceRuleChanges extends BundleControl {
  setEnabled(id: string, enabled: boolean, actor: string): Promise<boolean | { readonly proposal: ProposalView }>;
}

const viewOf = (p: Proposal<Pending>, now: number): ProposalView => {
  const cur = proposalAt(p, now);
  const r = cur.change.request;
  return {
    id: cur.id, action: r.action, rule: r.rule ?? null, bundle: r.bundle?.hash ?? null, comment: r.comment, proposer: cur.proposer,
    createdAt: cur.createdAt, expiresAt: cur.expiresAt, status: cur.status, decidedBy: cur.decidedBy,
  };
};

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

  const proposals = new Map<string, Proposal<Pending>>();
  let proposed = 0;
  /** Four eyes: keeps the change for another admin's approval (this instance, until applied or expired). */
  const propose = (p: Pending): { proposal: ProposalView } => {
    const now = d.now();
    const prop: Proposal<Pending> = { id: `p${++proposed}-${now.toString(36)}`, change: p, proposer: p.request.actor, createdAt: now, expiresAt: now + d.proposalTtlMs, status: 'pending', decidedBy: null };
    proposals.set(prop.id, prop);
    const v = viewOf(prop, now);
    d.audit?.append({ at: now, actor: v.proposer, action: 'rules.propose', target: `proposal ${v.id}`, before: null, after: { action: v.action, rule: v.rule, bundle: v.bundle, expiresAt: v.expiresAt }, comment: v.comment });
    return { proposal: v };
  };
  const decide = (id: string, c: { kind: 'approve' | 'reject'; by: string }): Proposal<Pending> => {
    const p = proposals.get(id);
    if (p === undefined) throw new CepError('CEP_ERR_PROPOSAL_NOT_FOUND', `no proposal ${id}; GET /api/v1/rule-proposals lists them`);
    const o = decideProposal(p, c, d.now());
    if (!o.ok) throw new CepError(o.code, o.message);
    proposals.set(id, o.proposal);
    return o.proposal;
  };

  const endShadow = async (action: 'promote' | 'discard', ruleId: string, actor: string, comment: string): Promise<ChangeRecord | { proposal: ProposalView }> => {
    const view = d.ruleLog.view();
    const shadow = view.shadows.find((s) => s.rule === ruleId);
    if (shadow === undefined) throw new CepError('CEP_ERR_SHADOW_NOT_FOUND', `rule ${ruleId} has no candidate in shadow to ${action}; cepheus rules changes lists the changes`);
    const request: ChangeRequest = { action, rule: ruleId, actor, comment };
    if (d.approvals === 2) return propose({ request });
    return apply(request);
  };

  return {
    proposals: () => [...proposals.values()].map((p) => viewOf(p, d.now())),
    async approve(id, by): Promise<ChangeRecord> {
      const p = decide(id, { kind: 'approve', by });
      try {
        return await apply({ ...p.change.request, approvedBy: by });
      } catch (err) {
        // Not applied (the instance restored, or another change ran): the proposal stays open.
        proposals.set(id, { ...p, status: 'pending', decidedBy: null });
        throw err;
      }
    },
    reject(id, by): ProposalView {
      const p = decide(id, { kind: 'reject', by });
      d.audit?.append({ at: d.now(), actor: by, action: 'rules.reject', target: `proposal ${id}`, before: null, after: null, comment: '' });
      return viewOf(p, d.now());
    },
    async deploy(files, actor, comment): Promise<DeployResult | { proposal: ProposalView }> {
      const bundle = bundleOf(files);
      checkBundleSize(bundle, d.maxBundleBytes);
      const before = d.ruleLog.view();
      if (before.bundle === bundle.hash) throw new CepError('CEP_ERR_BUNDLE_UNCHANGED', `bundle ${bundle.hash} is the one in force (version ${before.version}); nothing to deploy`);
      const checked = await d.check(bundle);
      const request: ChangeRequest = { action: 'deploy', bundle: { ...bundle, rules: checked.rules }, actor, comment };
      const diff = diffRules(before.rules, checked.rules);
      if (d.approvals === 2) return propose({ request, diff, dryRun: checked.dryRun });
      const change = await apply(request);
      return { change, diff, dryRun: checked.dryRun };
    },
    async setEnabled(id, enabled, actor): Promise<boolean | { proposal: ProposalView }> {
      if (!d.ruleLog.view().rules.some((r) => r.id === id)) return false;
      const request: ChangeRequest = { action: enabled ? 'enable' : 'disable', rule: id, actor, comment: '' };
      if (d.approvals === 2) return propose({ request });
      await apply(request);
      return true;
    },
    history: () => ({ current: d.ruleLog.view(), changes: d.ruleLog.history() }),
    bundle: (hash) => d.ruleLog.bundle(hash),
    async shadow(files, actor, comment): Promise<ShadowResult | { proposal: ProposalView }> {
      const bundle = bundleOf(files);
      checkBundleSize(bundle, d.maxBundleBytes);
      const view = d.ruleLog.view();
      const checked = await d.check(bundle);
      // The candidate: the one rule the bundle holds at another version than the live one.
      const live = new Map(view.rules.map((r) => [r.id, r.version]));
      const differ = checked.rules.filter((r) => live.get(r.id) !== r.version);
      const candidate = differ[0];
      if (candidate === undefined || differ.length > 1) {
        throw new CepError('CEP_ERR_SHADOW_RULES', `a shadow runs one candidate: the bundle must hold exactly one rule at another version than the live one (or a new rule); it holds ${differ.length === 0 ? 'none (bump the version of the rule you changed)' : differ.map((r) => `${r.id}@${r.version}`).join(', ')}`);
      }
      if (view.shadows.some((s) => s.rule === candidate.id && s.bundle === bundle.hash)) {
        throw new CepError('CEP_ERR_BUNDLE_UNCHANGED', `bundle ${bundle.hash} already runs in shadow for ${candidate.id}; nothing to change`);
      }
      const was = live.get(candidate.id);
      const request: ChangeRequest = { action: 'shadow', bundle: { ...bundle, rules: checked.rules }, rule: candidate.id, actor, comment };
      if (d.approvals === 2) return propose({ request, dryRun: checked.dryRun });
      const change = await apply(request);
      return { change, candidate, live: was === undefined ? null : { id: candidate.id, version: was }, dryRun: checked.dryRun };
    },
    promote: (ruleId, actor, comment) => endShadow('promote', ruleId, actor, comment),
    discard: (ruleId, actor, comment) => endShadow('discard', ruleId, actor, comment),
    shadowReport(ruleId): ShadowReport {
      const view = d.ruleLog.view();
      const shadow = view.shadows.find((s) => s.rule === ruleId);
      if (shadow === undefined) throw new CepError('CEP_ERR_SHADOW_NOT_FOUND', `rule ${ruleId} has no candidate in shadow; start one with cepheus rules shadow (GET /api/v1/rule-bundles lists the shadows in force)`);
      const liveRef = view.rules.find((r) => r.id === ruleId) ?? null;
      // From the boundary on: what each version detected over the same input.
      const from = shadow.at ?? Number.MIN_SAFE_INTEGER;
      const liveAlerts = (d.store?.alertsOf(ruleId, from) ?? []).map(diffAlertOf);
      const shadowAlerts = (d.store?.shadowAlerts(ruleId, from) ?? []).filter((a) => a.ruleVersion === shadow.version).map(diffAlertOf);
      const diff = shadowDiff(liveAlerts, shadowAlerts);
      return {
        shadow, live: liveRef, state: d.shadowRules?.().find((r) => r.id === ruleId) ?? null,
        counts: { live: liveAlerts.length, shadow: shadowAlerts.length, onlyLive: diff.onlyLive.length, onlyShadow: diff.onlyShadow.length, both: diff.both.length },
        ...diff,
      };
    },
  };
}
