// What the API needs of whatever runs the rules (the demo's engine, the service's shards).
import type { RuleInfo } from '../core/engine/index.ts';

export interface RuleControl {
  list(): RuleInfo[];
  /** False when no rule has this id. `actor` is the token's name (runners that keep the choice record it). */
  setEnabled(id: string, enabled: boolean, actor?: string): boolean;
}
