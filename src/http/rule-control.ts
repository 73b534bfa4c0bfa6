// What the API needs of whatever runs the rules (the demo's engine, the service's shards).
import type { BundleRecord, ChangeRecord, RuleDiff, RuleSetView } from '../core/control-log.ts';
import type { RuleInfo } from '../core/engine/index.ts';

export interface RuleControl {
  list(): RuleInfo[];
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
}
