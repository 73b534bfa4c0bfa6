// The service's Kafka steps, each with the permissions (ACLs) it relies on: a refusal by the
// brokers becomes one coded error naming the principal, the refused permission and its resource
// and the kafka-acls command that grants it, instead of kafkajs's retry loop or a bare
// "Topic authorization failed". A refused SASL login becomes CEP_ERR_KAFKA_AUTHENTICATION.
// A step over several resources (describe the configs of four topics) is narrowed by probing
// them one by one, so the message names the one that is missing.
import type { Config } from '../config/config.ts';
import { controlTopicOf, shadowTopicOf } from '../config/config.ts';
import type { InputTopic } from '../config/inputs.ts';
import { CepError } from '../core/errors.ts';
import { deniedError, principalOf, refusedGrants, serviceGrants } from '../kafka/access.ts';
import type { Grant } from '../kafka/access.ts';
import { authorizationFailure, isNotAttempted, isSaslFailure, rootMessage } from '../kafka/kafka-errors.ts';
import { CommitError } from '../kafka/sink.ts';

export class AccessGuard {
  readonly principal: string;
  readonly grants: readonly Grant[];
  private readonly kafka: Config['kafka'];

  constructor(config: Config, inputs: readonly InputTopic[], transactionalId: string) {
    this.kafka = config.kafka;
    this.principal = principalOf(config.kafka.sasl);
    const out = config.output;
    this.grants = serviceGrants({
      group: config.kafka.groupId, inputs: inputs.map((t) => t.topic), alerts: out.alerts, deadLetter: out.deadLetter, late: out.late ?? out.deadLetter,
      state: out.state, control: controlTopicOf(config), shadow: shadowTopicOf(config), transactionalId, store: config.api.enabled,
    });
  }

  /** The grants matching `pick`. */
  of(pick: (g: Grant) => boolean): Grant[] {
    return this.grants.filter(pick);
  }

  /**
   * The coded error for a failure of `doing` (which relies on `step`): a refused login or a
   * refused permission; undefined for anything else.
   */
  explain(err: unknown, doing: string, step: readonly Grant[]): CepError | undefined {
    if (err instanceof CepError) return undefined;
    if (isSaslFailure(err)) {
      const sasl = this.kafka.sasl;
      return new CepError('CEP_ERR_KAFKA_AUTHENTICATION', `the brokers refused the SASL login of ${sasl === undefined ? 'the service' : `user ${sasl.username} (${sasl.mechanism})`}: ${rootMessage(err, 200)}`, [
        'check kafka.sasl.username and the password (kafka.sasl.password, passwordFile, or CEPHEUS_KAFKA_SASL_PASSWORD / _FILE), and that the mechanism is one the listener enables',
      ], { cause: err });
    }
    const refused = refusedGrants(err, step);
    return refused === undefined ? undefined : deniedError(this.principal, doing, refused, err, this.kafka.brokers.join(','));
  }

  /**
   * Runs a start-up step; a refusal throws the coded error. With `probe`, a refusal that could
   * be about several grants is narrowed to those whose own probe is refused.
   */
  async step<T>(doing: string, step: readonly Grant[], f: () => Promise<T>, probe?: (g: Grant) => Promise<unknown>): Promise<T> {
    try {
      return await f();
    } catch (err) {
      let grants = step;
      if (probe !== undefined && refusedGrants(err, step) !== undefined && step.length > 1) {
        const refused: Grant[] = [];
        for (const g of step) {
          try {
            await probe(g);
          } catch (e) {
            if (refusedGrants(e, [g]) !== undefined) refused.push(g);
          }
        }
        if (refused.length > 0) grants = refused;
      }
      throw this.explain(err, doing, grants) ?? err;
    }
  }

  /**
   * A failed commit: which of its writes (the topics of the send that failed), offsets or
   * transaction was refused. A refused send over several topics is narrowed with `mayWrite`
   * (the sink's aborted probe), so the message names the topic that lacks Write.
   */
  async explainCommit(err: unknown, mayWrite?: (topic: string) => Promise<boolean>): Promise<CepError | undefined> {
    const step = err instanceof CommitError ? err.step : undefined;
    const doing = 'commit its outputs and offsets in a transaction';
    const sent = new Set(err instanceof CommitError ? err.sent.map((t) => t.topic) : []);
    // kafkajs reports the first partition error of AddPartitionsToTxn: for a send over several
    // topics that may be OPERATION_NOT_ATTEMPTED of an allowed one, the refusal hidden behind it.
    if (mayWrite !== undefined && step === 'send' && sent.size > 1 && (authorizationFailure(err) === 'TOPIC_AUTHORIZATION_FAILED' || isNotAttempted(err))) {
      const refused = new Set<string>();
      for (const t of sent) if (!(await mayWrite(t).catch(() => true))) refused.add(t);
      if (refused.size > 0) {
        const refusal = Object.assign(new Error('Topic authorization failed'), { type: 'TOPIC_AUTHORIZATION_FAILED', cause: err });
        return deniedError(this.principal, doing, this.of((g) => g.type === 'topic' && g.operation === 'Write' && refused.has(g.name)), refusal, this.kafka.brokers.join(','));
      }
    }
    const grants = this.of((g) => (g.type === 'topic' && g.operation === 'Write' && (sent.size === 0 || sent.has(g.name)))
      || (g.type === 'group' && g.pattern === 'literal' && (step === 'offsets' || step === undefined))
      || g.type === 'transactional-id');
    return this.explain(err, doing, grants);
  }
}
