// The Kafka permissions (ACLs) the service needs, as data: one list, from which come the
// `kafka-acls.sh` commands and the table in docs/operations.md (`cepheus acls`), the ACLs the
// security tests create (and remove one at a time), and the coded error that names the missing
// permission when the broker refuses something. Nothing more is needed: no cluster-wide
// permission, no Create (output topics created beforehand), no wildcard.
import type { AclEntry } from 'kafkajs';
import { CepError } from '../core/errors.ts';
import { authorizationFailure, isCoordinatorNotFound, rootMessage } from './kafka-errors.ts';
import type { AuthorizationFailure } from './kafka-errors.ts';

export type AclOperation = 'Read' | 'Write' | 'DescribeConfigs' | 'Create';
export type AclResourceType = 'topic' | 'group' | 'transactional-id';

export interface Grant {
  readonly operation: AclOperation;
  readonly type: AclResourceType;
  readonly name: string;
  /** `prefixed`: every resource whose name starts with `name`. */
  readonly pattern: 'literal' | 'prefixed';
  readonly why: string;
}

export interface AccessNeeds {
  readonly group: string;
  /** Kafka input topics (none when every input is another source). */
  readonly inputs: readonly string[];
  readonly alerts: string;
  readonly deadLetter: string;
  readonly late: string;
  readonly state: string;
  /** The control topic of the rule set (docs/operations.md, Changing rules in production). */
  readonly control?: string;
  /** The shadow alerts topic (shadow mode: docs/operations.md). */
  readonly shadow?: string;
  readonly transactionalId: string;
  /** The REST API's alert store reads the alerts topic (api.enabled; default true). */
  readonly store?: boolean;
}

const grant = (operation: AclOperation, type: AclResourceType, name: string, why: string, pattern: Grant['pattern'] = 'literal'): Grant => ({ operation, type, name, pattern, why });

/** Every permission the service needs, in a fixed order (inputs, outputs, groups, transactions). */
export function serviceGrants(n: AccessNeeds): Grant[] {
  const out: Grant[] = [];
  for (const t of n.inputs) {
    out.push(grant('Read', 'topic', t, 'consume the input (Read includes Describe: metadata, offsets)'));
    out.push(grant('DescribeConfigs', 'topic', t, "read its max.message.bytes, to size the dead-letter topic's records"));
  }
  out.push(grant('Write', 'topic', n.alerts, 'write alerts in the commit transaction (Write on a topic also lets the idempotent producer get its id: no IdempotentWrite on the cluster, KIP-679)'));
  if (n.store !== false) out.push(grant('Read', 'topic', n.alerts, 'the alert store behind the REST API reads the alerts topic'));
  out.push(grant('DescribeConfigs', 'topic', n.alerts, 'read its max.message.bytes: alerts are sized to fit'));
  for (const t of new Set([n.deadLetter, n.late])) {
    out.push(grant('Write', 'topic', t, t === n.late && t !== n.deadLetter ? 'write late events' : 'write dead letters (and late events)'));
    out.push(grant('DescribeConfigs', 'topic', t, 'read its max.message.bytes: a dead letter too big goes by reference'));
  }
  out.push(grant('Write', 'topic', n.state, 'write checkpoints in the commit transaction'));
  out.push(grant('Read', 'topic', n.state, 'read the last checkpoint at start and after a failure'));
  out.push(grant('DescribeConfigs', 'topic', n.state, 'read its max.message.bytes: checkpoint parts are cut to fit'));
  if (n.shadow !== undefined) {
    out.push(grant('Write', 'topic', n.shadow, 'write the alerts of rules in shadow in the commit transaction'));
    if (n.store !== false) out.push(grant('Read', 'topic', n.shadow, "the alert store reads the shadow alerts into its shadow table"));
    out.push(grant('DescribeConfigs', 'topic', n.shadow, 'read its max.message.bytes: shadow alerts are sized to fit, like alerts'));
  }
  if (n.control !== undefined) {
    out.push(grant('Write', 'topic', n.control, 'write rule changes (and the first bundle) in the commit transaction'));
    out.push(grant('Read', 'topic', n.control, 'read the rule set at start and at every restore'));
    out.push(grant('DescribeConfigs', 'topic', n.control, 'read its max.message.bytes'));
  }
  if (n.inputs.length > 0) out.push(grant('Read', 'group', n.group, 'join the consumer group and commit its offsets in the transaction'));
  if (n.store !== false) out.push(grant('Read', 'group', `${n.group}.store.`, "the alert store's consumer groups (<group>.store.<instance>)", 'prefixed'));
  out.push(grant('Read', 'group', `${n.group}.state.`, 'the throwaway groups (<group>.state.reader.<id>) that read the state topic at a restore', 'prefixed'));
  out.push(grant('Write', 'transactional-id', n.transactionalId, 'commit transactions (Write includes Describe)'));
  return out;
}

/** "topic cepheus.alerts", "groups starting with cepheus.store.". */
export function resourceOf(g: Pick<Grant, 'type' | 'name' | 'pattern'>): string {
  const what = g.type === 'transactional-id' ? 'transactional id' : g.type;
  return g.pattern === 'prefixed' ? `${what}s starting with ${g.name}` : `${what} ${g.name}`;
}

/** The kafka-acls.sh command that grants it. */
export function aclCommand(g: Grant, principal: string, bootstrap = '<brokers>'): string {
  const flag = g.type === 'topic' ? '--topic' : g.type === 'group' ? '--group' : '--transactional-id';
  return `kafka-acls.sh --bootstrap-server ${bootstrap} --command-config admin.properties --add --allow-principal ${principal} --operation ${g.operation} ${flag} ${g.name}${g.pattern === 'prefixed' ? ' --resource-pattern-type prefixed' : ''}`;
}

// kafkajs's ACL enums as numbers (Node's ESM loader finds no named enum exports in kafkajs).
const RESOURCE = { topic: 2, group: 3, 'transactional-id': 5 } as const;
const OPERATION = { Read: 3, Write: 4, Create: 5, DescribeConfigs: 10 } as const;
const PATTERN = { literal: 3, prefixed: 4 } as const;
const ALLOW = 3;

/** The grant as kafkajs's createAcls / deleteAcls take it. */
export function aclEntry(g: Grant, principal: string): AclEntry {
  return {
    resourceType: RESOURCE[g.type], resourceName: g.name, resourcePatternType: PATTERN[g.pattern],
    principal, host: '*', operation: OPERATION[g.operation], permissionType: ALLOW,
  } as unknown as AclEntry;
}

/**
 * The broker refused `doing` for lack of one of `needed` (the grants that step relies on): a
 * coded error naming the principal, each permission and the command that grants it.
 */
export function deniedError(principal: string, doing: string, needed: readonly Grant[], err: unknown, bootstrap?: string): CepError {
  const names = needed.map((g) => `${g.operation} on ${resourceOf(g)}`);
  const why = authorizationFailure(err) ?? (isCoordinatorNotFound(err) ? 'no coordinator: the lookup is refused without it' : rootMessage(err, 120));
  const msg = `principal ${principal} may not ${doing}: it needs ${names.length === 1 ? names[0] : `each of ${names.join(', ')}`} (the broker answered ${why})`;
  return new CepError('CEP_ERR_KAFKA_AUTHORIZATION', msg, needed.map((g) => `grant it: ${aclCommand(g, principal, bootstrap)}`), { cause: err });
}

/** The principal a config logs in as (SASL user), as ACLs name it. */
export function principalOf(sasl: { readonly username: string } | undefined): string {
  return sasl === undefined ? 'User:ANONYMOUS' : `User:${sasl.username}`;
}

const REFUSED_TYPE: Readonly<Record<AuthorizationFailure, AclResourceType>> = {
  TOPIC_AUTHORIZATION_FAILED: 'topic', GROUP_AUTHORIZATION_FAILED: 'group', TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 'transactional-id',
  // An idempotent producer's id: Write on any topic stands in for IdempotentWrite on the cluster (KIP-679).
  CLUSTER_AUTHORIZATION_FAILED: 'topic',
};

/**
 * Of the grants a step relies on, the ones a refusal can be about (its error says which kind
 * of resource); undefined when the error is no refusal. A coordinator kafkajs cannot find
 * counts as refused: it reports a missing group or transactional-id ACL so.
 */
export function refusedGrants(err: unknown, step: readonly Grant[]): Grant[] | undefined {
  const f = authorizationFailure(err);
  // kafkajs hides a refused coordinator lookup (a group's, or a transactional id's) behind "Failed to find group coordinator".
  if (f === undefined && !isCoordinatorNotFound(err)) return undefined;
  const types: readonly AclResourceType[] = f === undefined ? ['group', 'transactional-id'] : [REFUSED_TYPE[f]];
  const of = step.filter((g) => types.includes(g.type) && (f !== 'CLUSTER_AUTHORIZATION_FAILED' || g.operation === 'Write'));
  return of.length > 0 ? of : [...step];
}
