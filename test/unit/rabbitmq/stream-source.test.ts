// What the stream reader takes from each AMQP message (its stream offset, its record time) and
// how it names what went wrong when connecting or opening a stream.
import { describe, expect, it } from 'vitest';
import { rabbitError, recordTimeOf, streamOffsetOf } from '../../../src/rabbitmq/stream-source.ts';

const msg = (headers: Record<string, unknown> | undefined, timestamp?: number): Parameters<typeof streamOffsetOf>[0] =>
  ({ properties: { headers, timestamp } }) as unknown as Parameters<typeof streamOffsetOf>[0];

describe('stream messages', () => {
  it('reads the offset RabbitMQ puts in each stream message, as a number or a typed long', () => {
    expect([msg({ 'x-stream-offset': 42 }), msg({ 'x-stream-offset': { '!': 'long', value: 7 } }), msg({ 'x-stream-offset': 3n }), msg({}), msg(undefined), msg({ 'x-stream-offset': -1 })].map(streamOffsetOf))
      .toEqual([42, 7, 3, undefined, undefined, undefined]);
  });

  it("takes the AMQP timestamp (seconds) as the record time's last millisecond; none: no reference", () => {
    expect([recordTimeOf(msg({}, 1_700_000_000)), recordTimeOf(msg({}))]).toEqual([1_700_000_000_999, Number.MAX_SAFE_INTEGER]);
  });
});

describe('rabbitError', () => {
  it('gives each failure its code and says what to fix', () => {
    const cases = [
      rabbitError(new Error('connect ECONNREFUSED 127.0.0.1:1'), 'sources.0'),
      rabbitError(new Error('Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused"'), 'sources.0'),
      rabbitError(new Error('self-signed certificate in certificate chain'), 'sources.0'),
      rabbitError(new Error('Operation failed: QueueDeclare; 404 (NOT-FOUND) with message "NOT_FOUND - no queue \'x\' in vhost \'/\'"'), 'sources.0.streams', 'x'),
      rabbitError(new Error('Operation failed: BasicConsume; 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - access to queue \'x\' refused"'), 'sources.0.streams', 'x'),
      // A node just restarted, before the stream's process is up (seen in CI after a SIGKILL).
      rabbitError(new Error('Operation failed: BasicConsume; 404 (NOT-FOUND) with message "NOT_FOUND - home node \'cepheus-5673@localhost\' of durable queue \'x\' in vhost \'/\' is down or inaccessible"'), 'sources.0.streams', 'x'),
    ];
    expect(cases.map((e) => e.code)).toEqual(['CEP_ERR_RABBITMQ_UNREACHABLE', 'CEP_ERR_RABBITMQ_AUTHENTICATION', 'CEP_ERR_RABBITMQ_TLS', 'CEP_ERR_RABBITMQ_STREAM', 'CEP_ERR_RABBITMQ_STREAM', 'CEP_ERR_RABBITMQ_STREAM']);
    expect(cases[5]?.message).toMatch(/^CEP_ERR_RABBITMQ_STREAM: sources\.0\.streams: stream x exists but is not available: its node is down or still starting/);
    expect(cases[3]?.message).toMatch(/^CEP_ERR_RABBITMQ_STREAM: sources\.0\.streams: stream x does not exist on that virtual host: create it \(x-queue-type: stream\) or fix the name/);
    expect(cases[4]?.message).toMatch(/^CEP_ERR_RABBITMQ_STREAM: sources\.0\.streams: the user may not read stream x: grant read on it/);
  });
});
