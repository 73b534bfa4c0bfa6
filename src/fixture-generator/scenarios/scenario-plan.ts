// The scenario catalogue and where on the timeline each instance goes. Every rule gets
// `positives` instances and `nearMisses` instances of each near-miss variant, each on its
// own accounts, spread evenly (with jitter) over the part of the timeline the rule can use.
import type { AnyEvent } from '../../events/types.ts';
import { coreMarketTimeFrom, DAY, HOUR } from '../calendar.ts';
import type { ScenarioRuleId } from '../scenario-params.ts';
import { SCENARIO_PARAMS } from '../scenario-params.ts';
import { accountTakeover, bruteForce, credentialStuffing, impossibleTravel } from './login-scenarios.ts';
import { dormantDrain, structuring } from './money-scenarios.ts';
import type { ScenarioKit, ScenarioLabel } from './scenario-kit.ts';
import { largeTrade, spoofing, tradeVelocity, washTrading } from './trading-scenarios.ts';

type Planter = (kit: ScenarioKit, at: number, variant: string, id: string) => ScenarioLabel;

export interface ScenarioSpec {
  readonly rule: ScenarioRuleId;
  readonly nearMisses: readonly string[];
  /** Starts in core market hours. */
  readonly market: boolean;
  /** Earliest / latest anchor, as offsets from the timeline start and end. */
  readonly window: (variant: string) => { readonly afterStart: number; readonly beforeEnd: number };
  readonly plant: Planter;
}

const DEFAULT_WINDOW = { afterStart: 3 * DAY, beforeEnd: 2.5 * DAY };
const dormancyDays = SCENARIO_PARAMS.dormantDrain.dormancy / DAY;

export const SCENARIO_CATALOGUE: readonly ScenarioSpec[] = [
  { rule: 'account-takeover', nearMisses: ['known-device', 'late-cashout'], market: false, window: () => DEFAULT_WINDOW, plant: accountTakeover },
  { rule: 'brute-force', nearMisses: ['six-in-ten-minutes'], market: false, window: () => DEFAULT_WINDOW, plant: bruteForce },
  { rule: 'credential-stuffing', nearMisses: ['seven-accounts'], market: false, window: () => DEFAULT_WINDOW, plant: credentialStuffing },
  { rule: 'impossible-travel', nearMisses: ['same-continent', '6h-apart'], market: false, window: () => DEFAULT_WINDOW, plant: impossibleTravel },
  { rule: 'large-trade', nearMisses: ['4x'], market: true, window: () => ({ afterStart: 8 * DAY, beforeEnd: 2.5 * DAY }), plant: largeTrade },
  { rule: 'trade-velocity', nearMisses: ['twenty-in-five-minutes'], market: true, window: () => DEFAULT_WINDOW, plant: tradeVelocity },
  { rule: 'spoofing', nearMisses: ['filled'], market: true, window: () => DEFAULT_WINDOW, plant: spoofing },
  { rule: 'wash-trading', nearMisses: ['qty-differs', '30s-apart'], market: true, window: () => DEFAULT_WINDOW, plant: washTrading },
  { rule: 'structuring', nearMisses: ['two', 'under-band'], market: false, window: () => DEFAULT_WINDOW, plant: structuring },
  {
    rule: 'dormant-drain', nearMisses: ['dormant-10d'], market: false, plant: dormantDrain,
    window: (v) => ({ afterStart: (v === 'positive' ? dormancyDays + 4 : 12) * DAY, beforeEnd: 2.2 * DAY }),
  },
];

export interface ScenarioPlan {
  readonly scenarios: readonly ScenarioLabel[];
  /** Every planted event (pattern and context), sorted by time. */
  readonly events: readonly AnyEvent[];
  readonly skipped: readonly { readonly rule: ScenarioRuleId; readonly variant: string; readonly reason: string }[];
  /** Accounts handed out (background accounts included). */
  readonly accountsUsed: number;
}

export function planScenarios(kit: ScenarioKit, start: number, end: number, positives: number, nearMisses: number): ScenarioPlan {
  const rng = kit.rng;
  const scenarios: ScenarioLabel[] = [];
  const skipped: { rule: ScenarioRuleId; variant: string; reason: string }[] = [];
  for (const spec of SCENARIO_CATALOGUE) {
    const instances: { variant: string; ordinal: number }[] = [];
    for (let i = 1; i <= positives; i++) instances.push({ variant: 'positive', ordinal: i });
    for (const v of spec.nearMisses) for (let i = 1; i <= nearMisses; i++) instances.push({ variant: v, ordinal: i });
    // Instances sharing a window are spread over it in shuffled order.
    const groups = Map.groupBy(instances, (x) => {
      const w = spec.window(x.variant);
      return `${w.afterStart}/${w.beforeEnd}`;
    });
    const anchors = new Map<string, number>();
    for (const group of groups.values()) {
      const first = group[0];
      if (first === undefined) continue;
      const w = spec.window(first.variant);
      const lo = start + w.afterStart;
      const hi = end - w.beforeEnd;
      rng.shuffle(group);
      group.forEach((x, i) => {
        if (hi <= lo) return;
        let at = Math.floor(lo + ((hi - lo) * (i + rng.range(0.15, 0.85))) / group.length);
        if (spec.market) {
          const open = coreMarketTimeFrom(at);
          at = open === at ? at : open + rng.int(5 * HOUR);
        }
        anchors.set(`${x.variant}#${x.ordinal}`, at);
      });
    }
    for (const x of instances) {
      const at = anchors.get(`${x.variant}#${x.ordinal}`);
      const id = `${spec.rule}/${x.variant === 'positive' ? 'positive' : `near-miss-${x.variant}`}-${x.ordinal}`;
      if (at === undefined) {
        skipped.push({ rule: spec.rule, variant: x.variant, reason: `the ${Math.round((end - start) / DAY)}-day timeline is too short for this scenario` });
        continue;
      }
      scenarios.push(spec.plant(kit, at, x.variant, id));
    }
  }
  const order = new Map(kit.events.map((e, i) => [e, i]));
  const events = [...kit.events].sort((a, b) => a.ts - b.ts || (order.get(a) as number) - (order.get(b) as number));
  const dedup = new Map<string, { rule: ScenarioRuleId; variant: string; reason: string }>();
  for (const s of skipped) dedup.set(`${s.rule}/${s.variant}`, s);
  return { scenarios, events, skipped: [...dedup.values()], accountsUsed: kit.accountsUsed };
}
