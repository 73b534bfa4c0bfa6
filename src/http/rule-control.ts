// What the API needs of whatever runs the rules (the demo's engine, the service's shards).
import type { RuleInfo } from '../core/engine/index.ts';

export interface RuleControl {
  list(): RuleInfo[];
  /** False when no rule has this id. */
  setEnabled(id: string, enabled: boolean): boolean;
}
