// The ACLs the service needs are one list (serviceGrants), from which come the kafka-acls
// commands, and the coded error that names what a refusal was about.
import { describe, expect, it } from 'vitest';
import { aclCommand, aclEntry, deniedError, refusedGrants, resourceOf, serviceGrants } from '../../../src/kafka/access.ts';
import { AccessGuard } from '../../../src/service/access-guard.ts';
import { validateConfig } from '../../../src/config/config.ts';
import { CommitError } from '../../../src/kafka/sink.ts';

const needs = { group: 'g', inputs: ['in.trade', 'in.login'], alerts: 'al', deadLetter: 'dl', late: 'dl', state: 'st', transactionalId: 'cepheus-g' };
const refused = (type: string): Error => Object.assign(new Error('Not authorized'), { name: 'KafkaJSProtocolError', type });

describe('the service ACLs', () => {
  it('are read and configs of the inputs, write and configs of the outputs, its groups and transactional id; nothing cluster-wide', () => {
    expect(serviceGrants(needs).map((g) => `${g.operation} ${resourceOf(g)}`)).toEqual([
      'Read topic in.trade', 'DescribeConfigs topic in.trade', 'Read topic in.login', 'DescribeConfigs topic in.login',
      'Write topic al', 'Read topic al', 'DescribeConfigs topic al', 'Write topic dl', 'DescribeConfigs topic dl',
      'Write topic st', 'Read topic st', 'DescribeConfigs topic st',
      'Read group g', 'Read groups starting with g.store.', 'Read groups starting with g.state.', 'Write transactional id cepheus-g',
    ]);
  });

  it('print as kafka-acls commands and as kafkajs ACL entries', () => {
    const [store] = serviceGrants(needs).filter((g) => g.pattern === 'prefixed');
    expect(store === undefined ? '' : aclCommand(store, 'User:cepheus', 'b:9094')).toBe('kafka-acls.sh --bootstrap-server b:9094 --command-config admin.properties --add --allow-principal User:cepheus --operation Read --group g.store. --resource-pattern-type prefixed');
    expect(store === undefined ? null : aclEntry(store, 'User:cepheus')).toEqual({ resourceType: 3, resourceName: 'g.store.', resourcePatternType: 4, principal: 'User:cepheus', host: '*', operation: 3, permissionType: 3 });
  });

  it('a refusal names the grants of its kind of resource; a refused commit the topics of the send that failed', async () => {
    const all = serviceGrants(needs);
    expect(refusedGrants(new Error('boom'), all)).toBeUndefined();
    expect(refusedGrants(refused('GROUP_AUTHORIZATION_FAILED'), all)?.map((g) => g.name)).toEqual(['g', 'g.store.', 'g.state.']);
    // kafkajs's "no coordinator": a refused group or transactional id.
    const noCoordinator = Object.assign(new Error('x'), { name: 'KafkaJSGroupCoordinatorNotFound' });
    expect(refusedGrants(noCoordinator, all.filter((g) => g.type !== 'group'))?.map((g) => `${g.operation} ${resourceOf(g)}`)).toEqual(['Write transactional id cepheus-g']);
    expect(deniedError('User:c', 'do it', all.slice(0, 1), refused('TOPIC_AUTHORIZATION_FAILED')).message).toBe([
      'CEP_ERR_KAFKA_AUTHORIZATION: principal User:c may not do it: it needs Read on topic in.trade (the broker answered TOPIC_AUTHORIZATION_FAILED)',
      '  - grant it: kafka-acls.sh --bootstrap-server <brokers> --command-config admin.properties --add --allow-principal User:c --operation Read --topic in.trade',
    ].join('\n'));

    const config = validateConfig({ kafka: { brokers: ['b:9094'], groupId: 'g', sasl: { mechanism: 'scram-sha-512', username: 'svc', password: 'pw-1234' } }, topics: { trade: 'in.trade' }, output: { alerts: 'al', deadLetter: 'dl', state: 'st' } });
    const guard = new AccessGuard(config, [{ topic: 'in.trade', kinds: ['trade'], format: 'confluent', schemaId: 0 }], 'cepheus-g');
    const send = new CommitError('send', [{ topic: 'al', records: [] }], refused('TOPIC_AUTHORIZATION_FAILED'));
    expect((await guard.explainCommit(send))?.message.split('\n')[0]).toBe('CEP_ERR_KAFKA_AUTHORIZATION: principal User:svc may not commit its outputs and offsets in a transaction: it needs Write on topic al (the broker answered TOPIC_AUTHORIZATION_FAILED)');
    const offsets = new CommitError('offsets', [], refused('GROUP_AUTHORIZATION_FAILED'));
    expect((await guard.explainCommit(offsets))?.message.split('\n')[0]).toMatch(/it needs Read on group g \(/);
    expect(await guard.explainCommit(new CommitError('end', [], new Error('Connection error')))).toBeUndefined();
    // A refused send over several topics: the probe finds the one without Write.
    const both = new CommitError('send', [{ topic: 'al', records: [] }, { topic: 'st', records: [] }], refused('TOPIC_AUTHORIZATION_FAILED'));
    expect((await guard.explainCommit(both, async (t) => t !== 'st'))?.message.split('\n')[0]).toMatch(/it needs Write on topic st \(the broker answered TOPIC_AUTHORIZATION_FAILED\)/);
    // ... also when kafkajs reports an allowed topic's OPERATION_NOT_ATTEMPTED first.
    const skipped = new CommitError('send', [{ topic: 'al', records: [] }, { topic: 'st', records: [] }], refused('OPERATION_NOT_ATTEMPTED'));
    expect((await guard.explainCommit(skipped, async (t) => t !== 'al'))?.message.split('\n')[0]).toMatch(/it needs Write on topic al \(/);
    expect(await guard.explainCommit(skipped, async () => true)).toBeUndefined();
  });
});
