// Shadow mode behind the API (service/rule-changes.ts), without Kafka: which bundle may start a
// shadow (exactly one rule differs from the live set), what needs a shadow in force, four eyes
// for shadow changes, and the report pairing the store's live and shadow alerts.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/core/alert.ts';
import { EMPTY_RULE_SET } from '../../../src/core/control-log.ts';
import type { RuleRef, RuleSetView } from '../../../src/core/control-log.ts';
import { CepError } from '../../../src/core/errors.ts';
import type { Pipeline } from '../../../src/service/pipeline.ts';
import { serviceRuleChanges } from '../../../src/service/rule-changes.ts';
import type { RuleLog } from '../../../src/service/rule-log.ts';
import { transfer } from '../../../src/testing.ts';

const LIVE: RuleSetView = { ...EMPTY_RULE_SET, seq: 2, bundle: 'b1', version: 2, rules: [{ id: 'burst', version: 1 }, { id: 'big', version: 1 }] };
const SHADOWED: RuleSetView = { ...LIVE, seq: 3, shadows: [{ rule: 'burst', version: 2, bundle: 'c1', seq: 3, at: 1000, actor: 'ana' }] };

const alert = (id: string, version: number, key: string, events: string[], t: number): Alert => ({
  id, ruleId: 'burst', ruleVersion: version, ruleKind: 'threshold', severity: 'low', keySpace: 'account', key, firstEventTime: t, lastEventTime: t, detectedAtEventTime: t, message: id,
  matched: [{ step: 'window', events: events.map((e) => ({ event: transfer(e, t), source: null })) }], aggregates: {}, context: null,
} as unknown as Alert);

function changes(view: RuleSetView, approvals: 1 | 2, checked: readonly RuleRef[], store: { live: Alert[]; shadow: Alert[] } = { live: [], shadow: [] }) {
  return serviceRuleChanges({
    pipeline: { heldRun: () => undefined, mode: 'standby' } as unknown as Pick<Pipeline, 'heldRun' | 'mode'>,
    ruleLog: { view: () => view } as unknown as RuleLog,
    maxBundleBytes: 1 << 20, audit: undefined, log: pino({ level: 'silent' }), now: () => 5000, approvals, proposalTtlMs: 60_000,
    check: () => Promise.resolve({ dir: '/nowhere', rules: checked, dryRun: { events: 0, alertsByRule: {} } }),
    store: { alertsOf: (_id, from) => store.live.filter((a) => a.detectedAtEventTime >= from), shadowAlerts: (_id, from) => store.shadow.filter((a) => a.detectedAtEventTime >= from) },
    shadowRules: () => [],
  });
}

const codeOf = async (p: Promise<unknown> | (() => unknown)): Promise<string> => {
  try {
    await (typeof p === 'function' ? p() : p);
    return 'none';
  } catch (err) {
    return err instanceof CepError ? err.code : String(err);
  }
};
const FILES = { 'burst.ts': 'export default [];\n' };

describe('shadow mode behind the API', () => {
  it('refuses a bundle in which no rule, or more than one, differs from the live set', async () => {
    expect(await codeOf(changes(LIVE, 1, [{ id: 'burst', version: 1 }, { id: 'big', version: 1 }]).shadow(FILES, 'ana', ''))).toBe('CEP_ERR_SHADOW_RULES');
    expect(await codeOf(changes(LIVE, 1, [{ id: 'burst', version: 2 }, { id: 'big', version: 2 }]).shadow(FILES, 'ana', ''))).toBe('CEP_ERR_SHADOW_RULES');
  });

  it('promote, discard and the report need a shadow of the rule', async () => {
    const c = changes(LIVE, 1, []);
    expect([await codeOf(c.promote('burst', 'ana', '')), await codeOf(c.discard('burst', 'ana', '')), await codeOf(() => c.shadowReport('burst'))])
      .toEqual(['CEP_ERR_SHADOW_NOT_FOUND', 'CEP_ERR_SHADOW_NOT_FOUND', 'CEP_ERR_SHADOW_NOT_FOUND']);
  });

  it('with four eyes, shadow and promote are proposals naming the rule', async () => {
    const started = await changes(LIVE, 2, [{ id: 'burst', version: 2 }]).shadow(FILES, 'ana', 'threshold 3');
    const promoted = await changes(SHADOWED, 2, []).promote('burst', 'bo', 'go');
    const view = (r: unknown): unknown => {
      const p = (r as { proposal: { action: string; rule: string | null; proposer: string; status: string; comment: string } }).proposal;
      return [p.action, p.rule, p.proposer, p.status, p.comment];
    };
    expect([view(started), view(promoted)]).toEqual([['shadow', 'burst', 'ana', 'pending', 'threshold 3'], ['promote', 'burst', 'bo', 'pending', 'go']]);
  });

  it("reports the shadow's alerts from its boundary on, of its version, paired with the live ones", () => {
    const store = {
      live: [alert('l0', 1, 'A', ['e0', 'e1'], 900), alert('l1', 1, 'A', ['e2', 'e3'], 1100), alert('l2', 1, 'B', ['e5', 'e6'], 1200)],
      shadow: [alert('s1', 2, 'A', ['e2', 'e3', 'e4'], 1150), alert('s0', 1, 'A', ['e2'], 1150), alert('s2', 2, 'C', ['e9', 'e10', 'e11'], 1300)],
    };
    const r = changes(SHADOWED, 1, [], store).shadowReport('burst');
    expect({ counts: r.counts, onlyLive: r.onlyLive.map((a) => a.id), onlyShadow: r.onlyShadow.map((a) => a.id), both: r.both.map((p) => [p.live.id, p.shadow.id]), live: r.live }).toEqual({
      counts: { live: 2, shadow: 2, onlyLive: 1, onlyShadow: 1, both: 1 }, onlyLive: ['l2'], onlyShadow: ['s2'], both: [['l1', 's1']], live: { id: 'burst', version: 1 },
    });
  });
});
