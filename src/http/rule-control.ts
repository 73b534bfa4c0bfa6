// What the API needs of whatever runs the rules (the demo's engine, the service's shards).
import type { BundleRecord, ChangeRecord, RuleDiff, RuleSetView } from '../core/control-log.ts';
import type { RuleInfo } from '../core/engine/index.ts';

export interface RuleControl {
  list(): RuleInfo[];
  /** False when no rule has this id. `actor` is the token's name (runners that keep the choice record it). */
  setEnabled(id: string, enabled: boolean, actor?: string): boolean | Promise<boolean>;
}

/** What a deploy did: the change as the control log holds it, each rule's fate, the dry run. */
export interface DeployResult {
  readonly change: ChangeRecord;
  readonly diff: RuleDiff;
  readonly dryRun: { readonly events: number; readonly alertsByRule: Readonly<Record<string, number>> };
}

/** The rule set as a log (the service's control topic): deploy, history, a bundle's sources. */
export interface BundleControl {
  /** Validates the bundle, then applies it at the next boundary; resolves once committed. Throws CepError (4xx) when refused. */
  deploy(files: Readonly<Record<string, string>>, actor: string, comment: string): Promise<DeployResult>;
  /** The rule set in force and every change, oldest first. */
  history(): { readonly current: RuleSetView; readonly changes: readonly ChangeRecord[] };
  /** A bundle's record (sources included); undefined when the log has no bundle with this hash. */
  bundle(hash: string): BundleRecord | undefined;
}
