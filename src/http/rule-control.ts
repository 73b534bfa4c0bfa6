// What the API needs of whatever runs the rules (the demo's engine, the service's shards).
import type { BundleRecord, ChangeRecord, RuleDiff, RuleRef, RuleSetView, ShadowView } from '../core/control-log.ts';
import type { RuleInfo } from '../core/engine/index.ts';
import type { ShadowDiff } from '../core/shadow.ts';

export interface RuleControl {
  list(): RuleInfo[];
  /** Candidates in shadow (shadow mode), as their engines list them; absent: a runner without shadow mode. */
  shadows?(): readonly RuleInfo[];
  /** False when no rule has this id. `actor` is the token's name (runners that keep the choice record it). */
  /** With four eyes, a proposal instead (applied once another admin approves it). */
  setEnabled(id: string, enabled: boolean, actor?: string): boolean | Promise<boolean | { readonly proposal: ProposalView }>;
}

/** What a deploy did: the change as the control log holds it, each rule's fate, the dry run. */
export interface DeployResult {
  readonly change: ChangeRecord;
  readonly diff: RuleDiff;
  readonly dryRun: { readonly events: number; readonly alertsByRule: Readonly<Record<string, number>> };
}

/** A rule change waiting for a second admin (`rules.approvals: 2`). */
export interface ProposalView {
  readonly id: string;
  readonly action: ChangeRecord['action'];
  readonly rule: string | null;
  readonly bundle: string | null;
  readonly comment: string;
  readonly proposer: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly status: 'pending' | 'approved' | 'rejected' | 'expired';
  readonly decidedBy: string | null;
}

/** The rule set as a log (the service's control topic): deploy, history, a bundle's sources, four eyes. */
export interface BundleControl {
  /**
   * Validates the bundle, then applies it at the next boundary; resolves once committed (with
   * four eyes: a proposal, validated, applied on approval). Throws CepError (4xx) when refused.
   */
  deploy(files: Readonly<Record<string, string>>, actor: string, comment: string): Promise<DeployResult | { readonly proposal: ProposalView }>;
  proposals(): readonly ProposalView[];
  /** Applies the proposal (another admin than its proposer); resolves with the committed change. */
  approve(id: string, by: string): Promise<ChangeRecord>;
  reject(id: string, by: string): ProposalView;
  /** The rule set in force and every change, oldest first. */
  history(): { readonly current: RuleSetView; readonly changes: readonly ChangeRecord[] };
  /** A bundle's record (sources included); undefined when the log has no bundle with this hash. */
  bundle(hash: string): BundleRecord | undefined;
  /**
   * Shadow mode: validates the bundle like a deploy; the one rule it holds at another version
   * than the live one (or new) starts in shadow at the next boundary. Resolves once committed.
   */
  shadow(files: Readonly<Record<string, string>>, actor: string, comment: string): Promise<ShadowResult | { readonly proposal: ProposalView }>;
  /** The candidate replaces the live version at the next boundary, keeping its state. */
  promote(ruleId: string, actor: string, comment: string): Promise<ChangeRecord | { readonly proposal: ProposalView }>;
  /** The candidate is dropped with its state at the next boundary. */
  discard(ruleId: string, actor: string, comment: string): Promise<ChangeRecord | { readonly proposal: ProposalView }>;
  /** The candidate of a rule, its state and the diff of its alerts with the live version's; throws CEP_ERR_SHADOW_NOT_FOUND. */
  shadowReport(ruleId: string): ShadowReport;
}

/** What starting a shadow did. */
export interface ShadowResult {
  readonly change: ChangeRecord;
  /** The candidate, and the live version it runs beside (null: a rule not live). */
  readonly candidate: RuleRef;
  readonly live: RuleRef | null;
  readonly dryRun: DeployResult['dryRun'];
}

/** A rule's shadow: since when, its state, and its alerts paired with the live version's from its boundary on. */
export interface ShadowReport extends ShadowDiff {
  readonly shadow: ShadowView;
  readonly live: RuleRef | null;
  /** The candidate's engine as the shards list it (null: not reported yet). */
  readonly state: RuleInfo | null;
  readonly counts: { readonly live: number; readonly shadow: number; readonly onlyLive: number; readonly onlyShadow: number; readonly both: number };
}
