// What scenario planters build with: dedicated accounts (never touched by the background, so
// a planted pattern is exactly what was planted), attacker IPs and devices nobody else uses,
// and event helpers that record which events are the pattern and which are context (history
// the rule's account context needs, e.g. known devices or past trades).
import type { AnyEvent, Login, Order, Trade, Transfer } from '../../events/types.ts';
import { login, order, round2, trade, transfer } from '../event-builders.ts';
import { accountId } from '../ids.ts';
import type { IdSource } from '../ids.ts';
import type { Prng } from '../prng.ts';
import type { ScenarioRuleId } from '../scenario-params.ts';
import { currencyOf, iban, newDevice } from '../world.ts';
import type { Device, Instrument, IpPool, Payee } from '../world.ts';

export interface PlantedAccount {
  readonly id: string;
  readonly homeCountry: string;
  readonly currency: string;
  readonly ip: string;
  readonly device: Device;
  readonly payee: Payee;
}

export type ScenarioKind = 'positive' | 'near-miss';

/** One planted scenario as it appears in the labels file. */
export interface ScenarioLabel {
  readonly id: string;
  readonly rule: ScenarioRuleId;
  readonly kind: ScenarioKind;
  /** Near-miss variant (or 'positive'). */
  readonly variant: string;
  /** The rule's key: account, ip, instrument or `${account}|${instrument}`. */
  readonly key: string;
  readonly description: string;
  /** The events of the pattern (or of the near miss), in time order. */
  readonly eventIds: readonly string[];
  /** History the pattern relies on (known devices, past trades, last activity), not part of it. */
  readonly contextEventIds: readonly string[];
  /** Positives: the alert's last event time should fall in [from, to] (ms): from = the event
   *  that completes the pattern, to = the scenario's last event. Near misses: null. */
  readonly expectedDetection: { readonly from: number; readonly to: number } | null;
}

export class ScenarioKit {
  readonly rng: Prng;
  readonly instruments: readonly Instrument[];
  private readonly ids: IdSource;
  private readonly orderIds: IdSource;
  private readonly ips: IpPool;
  private nextAccount: number;
  /** Every planted event, core and context. */
  readonly events: AnyEvent[] = [];
  private core: AnyEvent[] = [];
  private context: AnyEvent[] = [];

  constructor(rng: Prng, ids: IdSource, orderIds: IdSource, ips: IpPool, instruments: readonly Instrument[], firstAccountIndex: number) {
    this.rng = rng;
    this.ids = ids;
    this.orderIds = orderIds;
    this.ips = ips;
    this.instruments = instruments;
    this.nextAccount = firstAccountIndex;
  }

  get accountsUsed(): number {
    return this.nextAccount;
  }

  account(homeCountry = this.rng.pick(['GB', 'US', 'DE', 'FR', 'NL', 'ES', 'IT', 'CH', 'SG', 'CA'])): PlantedAccount {
    return {
      id: accountId(this.nextAccount++),
      homeCountry,
      currency: currencyOf(homeCountry),
      ip: this.ips.next(),
      device: newDevice(this.rng),
      payee: { iban: iban(this.rng, homeCountry), country: homeCountry },
    };
  }

  ip(): string {
    return this.ips.next();
  }

  device(): Device {
    return newDevice(this.rng);
  }

  orderId(): string {
    return this.orderIds.next();
  }

  private add<E extends AnyEvent>(e: E, isContext: boolean): E {
    this.events.push(e);
    (isContext ? this.context : this.core).push(e);
    return e;
  }

  /** A successful login of the account from its usual place (context unless `core`). */
  homeLogin(a: PlantedAccount, ts: number, core = false): Login {
    return this.add(login(this.ids.next(), ts, a.id, true, null, a.ip, a.device.id, a.homeCountry, a.device.userAgent), !core);
  }

  login(ts: number, account: string, success: boolean, reason: Login['failureReason'], ip: string, device: Device, country: string, isContext = false): Login {
    return this.add(login(this.ids.next(), ts, account, success, reason, ip, device.id, country, device.userAgent), isContext);
  }

  transfer(ts: number, a: PlantedAccount, direction: Transfer['direction'], amount: number, to: Payee, channel: Transfer['channel'], reference: string | null, isContext = false): Transfer {
    return this.add(transfer(this.ids.next(), ts, a.id, direction, round2(amount), a.currency, to.iban, to.country, channel, reference), isContext);
  }

  order(ts: number, account: string, orderId: string, action: Order['action'], type: Order['orderType'], ins: Instrument, side: Order['side'],
    qty: number, price: number, filledQty: number, isContext = false): Order {
    return this.add(order(this.ids.next(), ts, account, orderId, action, type, ins.id, side, qty, price, filledQty, ins.currency, ins.venues[0] as string), isContext);
  }

  trade(ts: number, account: string, ins: Instrument, side: Trade['side'], qty: number, price: number, orderId: string | null,
    counterparty: string | null, isContext = false): Trade {
    return this.add(trade(this.ids.next(), ts, account, ins.id, side, qty, price, ins.currency, ins.venues[0] as string, orderId, counterparty), isContext);
  }

  /** Closes the current scenario: its label, with the events added since the last one. */
  finish(s: Omit<ScenarioLabel, 'eventIds' | 'contextEventIds' | 'expectedDetection'>, completing: AnyEvent | null): ScenarioLabel {
    const core = [...this.core].sort((x, y) => x.ts - y.ts);
    const last = core[core.length - 1];
    const label: ScenarioLabel = {
      ...s,
      eventIds: core.map((e) => e.id),
      contextEventIds: [...this.context].sort((x, y) => x.ts - y.ts).map((e) => e.id),
      expectedDetection: completing === null || last === undefined ? null : { from: completing.ts, to: last.ts },
    };
    this.core = [];
    this.context = [];
    return label;
  }
}
