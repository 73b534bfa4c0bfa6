// The generator pipeline, streaming and deterministic:
//
//   scenario plan (all planted events, sorted) ─┐
//   background sessions, hour by hour ──────────┴─► time-order heap ─► disorder heap ─► out
//
// Hour h is generated only after every event before h has left the time-order heap, so memory
// holds about an hour of events plus the disorder horizon (≤ lateMaxMs), whatever the total.
// Each part draws from its own PRNG stream derived from the seed; nothing reads a clock.
import { CepError } from '../core/errors.ts';
import { EVENT_KINDS } from '../events/types.ts';
import type { AnyEvent, EventKind } from '../events/types.ts';
import { Background, MAX_SESSION_EVENTS } from './background.ts';
import { DAY, HOUR, hourWeight } from './calendar.ts';
import { KeyedHeap } from '../core/heap.ts';
import { IdSource } from './ids.ts';
import { LABELS_FORMAT } from './labels.ts';
import type { Labels } from './labels.ts';
import { Market } from './market.ts';
import { GEN_OPTIONS_ERROR, resolveGenOptions } from './options.ts';
import type { GenOptions } from './options.ts';
import { Prng } from './prng.ts';
import { SCENARIO_PARAMS } from './scenario-params.ts';
import { ScenarioKit } from './scenarios/scenario-kit.ts';
import { planScenarios } from './scenarios/scenario-plan.ts';
import type { ScenarioPlan } from './scenarios/scenario-plan.ts';
import { createAccount, createInstruments, IpPool } from './world.ts';
import type { AccountProfile } from './world.ts';

export interface Generation {
  readonly options: GenOptions;
  /** The events in delivery (file) order. Single use. */
  readonly events: Iterable<AnyEvent>;
  /** The labels; complete once `events` has been iterated to the end. */
  labels(): Labels;
}

function accountsWithOffices(rng: Prng, n: number, ips: IpPool, instruments: number): AccountProfile[] {
  // About one account in ten shares an office / household IP with up to three others.
  const out: AccountProfile[] = [];
  let office: string | undefined;
  let members = 0;
  for (let i = 0; i < n; i++) {
    let shared: string | undefined;
    if (rng.chance(0.1)) {
      if (office === undefined || members >= 4) {
        office = ips.next();
        members = 0;
      }
      shared = office;
      members++;
    }
    out.push(createAccount(rng, i, ips, instruments, shared));
  }
  return out;
}

export function generate(partial: Partial<GenOptions> = {}): Generation {
  const o = resolveGenOptions(partial);
  const start = Date.parse(o.start);
  const end = start + o.days * DAY;
  const worldRng = Prng.derive(o.seed, 'world');
  const ips = new IpPool(Prng.derive(o.seed, 'ips'));
  const ids = new IdSource('ev-', o.seed);
  const orderIds = new IdSource('ord-', o.seed);
  const instruments = createInstruments(worldRng, o.instruments);
  const accounts = accountsWithOffices(worldRng, o.accounts, ips, instruments.length);
  const kit = new ScenarioKit(Prng.derive(o.seed, 'scenarios'), ids, orderIds, ips, instruments, o.accounts);
  const plan: ScenarioPlan = o.scenarios
    ? planScenarios(kit, start, end, o.positives, o.nearMisses)
    : { scenarios: [], events: [], skipped: [], accountsUsed: o.accounts };
  const planted = plan.events.length;
  const backgroundTarget = o.events - planted;
  if (backgroundTarget < 0) {
    throw new CepError(GEN_OPTIONS_ERROR, `the planted scenarios alone are ${planted} events, more than events = ${o.events}`,
      [`ask for at least ${planted + 1_000} events, fewer positives / near misses, or no scenarios`]);
  }
  const plantedIds = new Set(plan.events.map((e) => e.id));
  const market = new Market(instruments, Prng.derive(o.seed, 'market'));
  const background = new Background(accounts, instruments, market, Prng.derive(o.seed, 'background'), ids, orderIds,
    backgroundTarget / (o.accounts * o.days * 24));
  const disorderRng = Prng.derive(o.seed, 'disorder');

  const byKind = Object.fromEntries(EVENT_KINDS.map((k) => [k, 0])) as Record<EventKind, number>;
  const late: string[] = [];
  let delivered = 0;
  let maxTs = -Infinity;
  let minTs = Infinity;
  let disordered = 0;
  let maxInBoundLag = 0;
  let done = false;

  function* run(): Generator<AnyEvent> {
    const sorted = new KeyedHeap<AnyEvent>();
    const delivery = new KeyedHeap<AnyEvent>();
    const ready: AnyEvent[] = [];
    const bound = o.disorderBoundMs;
    const out = (e: AnyEvent): void => {
      const lag = maxTs - e.ts;
      if (lag > 0) {
        disordered++;
        if (lag > bound) late.push(e.id);
        else if (lag > maxInBoundLag) maxInBoundLag = lag;
      }
      if (e.ts > maxTs) maxTs = e.ts;
      if (e.ts < minTs) minTs = e.ts;
      byKind[e.kind]++;
      delivered++;
      ready.push(e);
    };
    /** Takes events in time order and delivers them, some delayed (disorder, late). */
    const deliver = (e: AnyEvent): void => {
      const u = disorderRng.next();
      let key = e.ts as number;
      if (u < o.late && !plantedIds.has(e.id)) key += disorderRng.intIn(o.lateMinMs, o.lateMaxMs);
      else if (u < o.late + o.disorder) key += Math.max(0, Math.floor(bound * disorderRng.range(0.3, 1)) - 1);
      delivery.push(key, e);
      while (delivery.peekKey() <= e.ts) out(delivery.pop() as AnyEvent);
    };

    const hours = Math.ceil((end - start) / HOUR);
    const weights = Array.from({ length: hours }, (_, h) => hourWeight(start + h * HOUR));
    const totalWeight = weights.reduce((a, b) => a + b, 0);
    let cumWeight = 0;
    let generated = 0;
    let next = 0;
    for (let h = 0; h < hours; h++) {
      const hourStart = start + h * HOUR;
      market.advance(hourStart);
      for (let e = plan.events[next]; e !== undefined && e.ts < hourStart + HOUR; e = plan.events[++next]) sorted.push(e.ts, e);
      while (sorted.peekKey() < hourStart) deliver(sorted.pop() as AnyEvent);
      if (ready.length > 0) {
        yield* ready;
        ready.length = 0;
      }
      cumWeight += weights[h] as number;
      const target = h === hours - 1 ? backgroundTarget : Math.round((backgroundTarget * cumWeight) / totalWeight);
      while (generated < target) {
        const session = background.session(hourStart, backgroundTarget - generated < MAX_SESSION_EVENTS);
        for (const e of session) sorted.push(e.ts, e);
        generated += session.length;
      }
    }
    for (let e = plan.events[next]; e !== undefined; e = plan.events[++next]) sorted.push(e.ts, e);
    while (sorted.size > 0) deliver(sorted.pop() as AnyEvent);
    while (delivery.size > 0) out(delivery.pop() as AnyEvent);
    yield* ready;
    ready.length = 0;
    done = true;
  }

  return {
    options: o,
    events: { [Symbol.iterator]: run },
    labels(): Labels {
      if (!done) throw new CepError('CEP_ERR_GEN_STATE', 'labels are complete only after every event has been read; iterate `events` to the end first');
      return {
        format: LABELS_FORMAT,
        seed: o.seed,
        options: o,
        params: SCENARIO_PARAMS,
        stats: {
          events: delivered,
          byKind,
          backgroundEvents: delivered - planted,
          scenarioEvents: planted,
          accounts: { background: o.accounts, scenario: plan.accountsUsed - o.accounts },
          firstEventTs: delivered > 0 ? minTs : null,
          lastEventTs: delivered > 0 ? maxTs : null,
          disordered,
          maxInBoundLagMs: maxInBoundLag,
        },
        scenarios: plan.scenarios,
        skipped: plan.skipped,
        late,
      };
    },
  };
}
