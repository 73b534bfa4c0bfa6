// The rule set as a log: the records of the compacted control topic, and what they mean.
//
//   key <group>/bundle/<sha256>   value: JSON BundleRecord, the sources of a bundle's modules
//   key <group>/change/<seq>      value: JSON ChangeRecord, one change at an event-time boundary
//
// Shadow mode is changes too: `shadow` starts a candidate version of one rule (from a bundle)
// beside the live one, `promote` makes the candidate the live version (its state kept),
// `discard` drops it. So every instance and every recovery runs the same candidates from the
// same boundaries.
//
// Keys are never reused (a bundle's key is its content hash, a change's its sequence number),
// so compaction removes nothing and the log keeps the whole history: a recovery, another
// instance or a replay reads the same changes with the same boundaries and applies them at the
// same points. Pure: parsing, folding and diffing, no I/O.
import { CepError } from './errors.ts';

export const CONTROL_FORMAT = 1;

export interface RuleRef {
  readonly id: string;
  readonly version: number;
}

export interface BundleRecord {
  readonly type: 'bundle';
  readonly format: typeof CONTROL_FORMAT;
  /** SHA-256 over the sorted (path, source) pairs: the bundle's identity. */
  readonly hash: string;
  /** Module sources by path relative to the bundle's folder. */
  readonly files: Readonly<Record<string, string>>;
  /** The rules it loads (id, version), in load order. */
  readonly rules: readonly RuleRef[];
  readonly bytes: number;
}

export const CHANGE_ACTIONS = ['deploy', 'enable', 'disable', 'shadow', 'promote', 'discard'] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

export interface ChangeRecord {
  readonly type: 'change';
  readonly format: typeof CONTROL_FORMAT;
  /** 1, 2, ...: the order changes apply in. */
  readonly seq: number;
  /** Event-time boundary: applied once the watermark reaches it (null: from the start). */
  readonly at: number | null;
  readonly action: ChangeAction;
  /** deploy: the bundle's hash; shadow / promote / discard: the candidate's bundle. */
  readonly bundle: string | null;
  /** enable / disable / shadow / promote / discard: the rule. */
  readonly rule: string | null;
  /** The bundle version in force after the change (deploys count 1, 2, ...). */
  readonly version: number;
  /** Who: the token's name (`config` for the initial bundle from the rules folder). */
  readonly actor: string;
  /** Wall-clock ms when it was accepted (for people; the boundary decides). */
  readonly time: number;
  readonly comment: string;
  /** Who approved it (four eyes), else null. */
  readonly approvedBy: string | null;
  /**
   * The bundle hash before and after: of the rule set (deploy, enable, disable); of the rule's
   * live and candidate versions (shadow, promote: live before, candidate after; discard: the
   * candidate before, the live one after).
   */
  readonly before: string | null;
  readonly after: string | null;
}

export type ControlRecord = BundleRecord | ChangeRecord;

export const bundleKey = (group: string, hash: string): string => `${group}/bundle/${hash}`;
export const changeKey = (group: string, seq: number): string => `${group}/change/${String(seq).padStart(10, '0')}`;

/** A record of the control topic, or undefined when the key is not the group's; throws on a malformed one. */
export function parseControlRecord(group: string, key: string, value: string): ControlRecord | undefined {
  if (!key.startsWith(`${group}/bundle/`) && !key.startsWith(`${group}/change/`)) return undefined;
  let r: unknown;
  try {
    r = JSON.parse(value);
  } catch {
    throw new CepError('CEP_ERR_CONTROL_RECORD', `control record ${key} is not JSON; the control topic was written by something else`);
  }
  const o = (typeof r === 'object' && r !== null ? r : {}) as Readonly<Record<string, unknown>>;
  if (o['format'] !== CONTROL_FORMAT) throw new CepError('CEP_ERR_CONTROL_RECORD', `control record ${key} has format ${String(o['format'])}; this Cepheus reads ${CONTROL_FORMAT}`);
  if (o['type'] === 'bundle' && typeof o['hash'] === 'string' && typeof o['files'] === 'object' && o['files'] !== null && Array.isArray(o['rules'])) return o as unknown as BundleRecord;
  if (o['type'] === 'change' && Number.isInteger(o['seq']) && (o['at'] === null || typeof o['at'] === 'number') && CHANGE_ACTIONS.includes(o['action'] as ChangeAction)) return o as unknown as ChangeRecord;
  throw new CepError('CEP_ERR_CONTROL_RECORD', `control record ${key} is not a bundle or a change`);
}

/** A candidate version of a rule running in shadow since change `seq` (boundary `at`). */
export interface ShadowView {
  readonly rule: string;
  /** The candidate's version, and the bundle it is loaded from. */
  readonly version: number;
  readonly bundle: string;
  readonly seq: number;
  readonly at: number | null;
  readonly actor: string;
}

/** The rule set after the changes through `seq`: its bundle, version and rules, and the rules switched off. */
export interface RuleSetView {
  readonly seq: number;
  readonly bundle: string | null;
  readonly version: number;
  readonly rules: readonly RuleRef[];
  readonly disabled: readonly string[];
  /** Rules promoted from a shadow since the last deploy: rule id → the bundle its live version comes from. */
  readonly promoted: Readonly<Record<string, string>>;
  /** Candidates running in shadow, by rule id order of their start. */
  readonly shadows: readonly ShadowView[];
}

export const EMPTY_RULE_SET: RuleSetView = { seq: 0, bundle: null, version: 0, rules: [], disabled: [], promoted: {}, shadows: [] };

/** The bundle the live version of `rule` comes from (null: no live rule with that id). */
export function liveBundleOf(view: RuleSetView, rule: string): string | null {
  if (!view.rules.some((r) => r.id === rule)) return null;
  return view.promoted[rule] ?? view.bundle;
}

/**
 * Folds changes (in seq order) into the rule set; a disabled rule stays disabled across deploys
 * while it exists. Shadows outlive deploys (a candidate is its own engine); a new shadow of a
 * rule replaces its earlier one.
 */
export function ruleSetOf(changes: readonly ChangeRecord[], bundles: ReadonlyMap<string, Pick<BundleRecord, 'rules'>>, through = Infinity): RuleSetView {
  let view = EMPTY_RULE_SET;
  const without = (rule: string | null): ShadowView[] => view.shadows.filter((s) => s.rule !== rule);
  for (const c of changes) {
    if (c.seq > through) break;
    switch (c.action) {
      case 'deploy': {
        const rules = bundles.get(c.bundle ?? '')?.rules ?? [];
        view = { ...view, seq: c.seq, bundle: c.bundle, version: c.version, rules, disabled: view.disabled.filter((id) => rules.some((r) => r.id === id)), promoted: {} };
        break;
      }
      case 'shadow': {
        const version = bundles.get(c.bundle ?? '')?.rules.find((r) => r.id === c.rule)?.version ?? 0;
        view = { ...view, seq: c.seq, shadows: [...without(c.rule), { rule: c.rule ?? '', version, bundle: c.bundle ?? '', seq: c.seq, at: c.at, actor: c.actor }] };
        break;
      }
      case 'promote': {
        const s = view.shadows.find((x) => x.rule === c.rule);
        if (s === undefined) {
          view = { ...view, seq: c.seq };
          break;
        }
        const ref = { id: s.rule, version: s.version };
        const rules = view.rules.some((r) => r.id === s.rule) ? view.rules.map((r) => (r.id === s.rule ? ref : r)) : [...view.rules, ref];
        view = { ...view, seq: c.seq, rules, promoted: { ...view.promoted, [s.rule]: s.bundle }, shadows: without(c.rule) };
        break;
      }
      case 'discard':
        view = { ...view, seq: c.seq, shadows: without(c.rule) };
        break;
      case 'enable':
        view = { ...view, seq: c.seq, disabled: view.disabled.filter((id) => id !== c.rule) };
        break;
      case 'disable':
        view = { ...view, seq: c.seq, disabled: view.disabled.includes(c.rule ?? '') ? view.disabled : [...view.disabled, c.rule ?? ''] };
        break;
      default: {
        const never: never = c.action;
        throw new Error(`unknown change ${String(never)}`);
      }
    }
  }
  return view;
}

/** What a deploy does to each rule: state is kept for unchanged rules (same id and version) only. */
export interface RuleDiff {
  readonly added: readonly RuleRef[];
  readonly removed: readonly RuleRef[];
  readonly changed: readonly { readonly id: string; readonly from: number; readonly to: number }[];
  readonly unchanged: readonly RuleRef[];
}

export function diffRules(before: readonly RuleRef[], after: readonly RuleRef[]): RuleDiff {
  const was = new Map(before.map((r) => [r.id, r.version]));
  const now = new Set(after.map((r) => r.id));
  return {
    added: after.filter((r) => !was.has(r.id)),
    removed: before.filter((r) => !now.has(r.id)),
    changed: after.flatMap((r) => { const from = was.get(r.id); return from !== undefined && from !== r.version ? [{ id: r.id, from, to: r.version }] : []; }),
    unchanged: after.filter((r) => was.get(r.id) === r.version),
  };
}
