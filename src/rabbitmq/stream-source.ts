// RabbitMQ streams read like Kafka partitions (amqplib, AMQP 0-9-1): each stream is read from
// an offset we choose (`x-stream-offset`), never from RabbitMQ's consumer tracking, so the
// offsets committed in the Kafka transaction decide where a restart resumes. A stream is one
// input named rabbitmq-stream:<stream>, partition 0. Messages are handed over in batches
// (whatever arrived while the previous batch was taken), one batch in flight per stream; the
// prefetch window (acks move it) is the backpressure. A lost connection (a node restart) is
// retried with growing waits and every stream resubscribed after the last offset handed over.
//
//   seek(offset) ─► consume(x-stream-offset = offset) ─► deliveries ─► buffer ─► batch() ─► ack (credit)
import { connect } from 'amqplib';
import type { Channel, ChannelModel, ConsumeMessage, Options } from 'amqplib';
import type { Logger } from 'pino';
import { CepError } from '../core/errors.ts';
import type { InputBatch, InputMessage, TopicPartition } from '../kafka/source.ts';
import { probeStreamTail, streamOffsetOf } from './tail-probe.ts';

export { streamOffsetOf };

export interface RabbitStreamOptions {
  /** amqp:// or amqps:// URL without credentials. */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  /** TLS (amqps): PEM contents, or true for the system CAs. */
  readonly tls: boolean | { readonly ca?: Buffer; readonly cert?: Buffer; readonly key?: Buffer; readonly rejectUnauthorized: boolean };
  /** Input name → stream. */
  readonly streams: ReadonlyMap<string, string>;
  readonly prefetch: number;
  /** The config key of the source, for messages (sources.0). */
  readonly key: string;
  readonly log: Logger;
  /** Waits between reconnect attempts (default 200 ms doubling to 5 s). */
  readonly reconnectMs?: (attempt: number) => number;
}

/** What the stream source tells its owner. */
export interface StreamHandlers {
  batch(b: InputBatch): Promise<void>;
  progress(tp: TopicPartition, highWatermark: number): void;
  /** Connected and consuming (called on every delivery and every second while connected). */
  fetched(): void;
  crashed(err: Error): void;
}

interface StreamState {
  readonly topic: string;
  readonly stream: string;
  /** Offset after the last message handed over (where a resubscription starts); -1: not subscribed. */
  next: number;
  /** Offset after the last message RabbitMQ delivered. */
  seen: number;
  gen: number;
  channel: Channel | undefined;
  buf: ConsumeMessage[];
  paused: boolean;
  busy: boolean;
}

const ALIVE_MS = 1000;
/**
 * The record time the future-event guard compares with: the AMQP `timestamp` property
 * (seconds, so its last millisecond); without one the guard has no reference (MAX_SAFE_INTEGER).
 */
export function recordTimeOf(m: Pick<ConsumeMessage, 'properties'>): number {
  const t = m.properties.timestamp as unknown;
  return typeof t === 'number' && Number.isFinite(t) && t > 0 ? t * 1000 + 999 : Number.MAX_SAFE_INTEGER;
}

/** A coded error for what amqplib reported while connecting or opening a stream. */
export function rabbitError(err: unknown, where: string, stream?: string): CepError {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const msg = typeof e?.message === 'string' ? e.message : String(err);
  if (stream !== undefined && /\bis down or inaccessible\b/.test(msg)) return new CepError('CEP_ERR_RABBITMQ_STREAM', `${where}: stream ${stream} exists but is not available: its node is down or still starting; start the service once it is up (${msg})`);
  if (stream !== undefined && /NOT_FOUND|404/.test(msg)) return new CepError('CEP_ERR_RABBITMQ_STREAM', `${where}: stream ${stream} does not exist on ${msg.includes('vhost') ? 'that virtual host' : 'the node'}: create it (x-queue-type: stream) or fix the name (${msg})`);
  if (stream !== undefined && /ACCESS_REFUSED|403/.test(msg)) return new CepError('CEP_ERR_RABBITMQ_STREAM', `${where}: the user may not read stream ${stream}: grant read on it (${msg})`);
  if (/ACCESS_REFUSED|403|authentication|PLAIN login refused|NOT_ALLOWED/i.test(msg)) return new CepError('CEP_ERR_RABBITMQ_AUTHENTICATION', `${where}: RabbitMQ refused the login or the virtual host: check username, password (or passwordFile) and the user's permissions (${msg})`);
  if (/certificate|SSL|TLS|self.signed|EPROTO|wrong version number/i.test(msg)) return new CepError('CEP_ERR_RABBITMQ_TLS', `${where}: the TLS handshake failed: set tls.ca to the CA that signed the node's certificate, or check that the port speaks TLS (${msg})`);
  return new CepError('CEP_ERR_RABBITMQ_UNREACHABLE', `${where}: no RabbitMQ node answered: check the url and that the node runs (${msg})`);
}

/** Subscribing to a stream whose node is still starting: tries before its error stops the service. */
const UNAVAILABLE_TRIES = 40;
const streamStarting = (err: unknown): boolean => err instanceof Error && /\bis down or inaccessible\b/.test(err.message);

export class RabbitStreamSource {
  private readonly o: RabbitStreamOptions;
  private readonly streams: Map<string, StreamState>;
  private h: StreamHandlers | undefined;
  private conn: ChannelModel | undefined;
  private connecting: Promise<void> | undefined;
  private running = false;
  private alive: NodeJS.Timeout | undefined;

  constructor(o: RabbitStreamOptions) {
    this.o = o;
    this.streams = new Map([...o.streams].map(([topic, stream]) => [topic, { topic, stream, next: -1, seen: 0, gen: 0, channel: undefined, buf: [], paused: false, busy: false }]));
  }

  get topics(): string[] {
    return [...this.streams.keys()];
  }

  /** Connects and checks every stream exists and is readable (a failure closes the connection). */
  async connect(): Promise<void> {
    if (this.conn !== undefined) return;
    this.running = true;
    try {
      const conn = await this.open();
      for (const st of this.streams.values()) await this.check(conn, st.stream);
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Connected (connect() first if not yet), reporting to `h`; nothing is consumed before seek(). */
  async start(h: StreamHandlers): Promise<void> {
    this.h = h;
    await this.connect();
    this.alive = setInterval(() => {
      if (this.conn !== undefined) this.h?.fetched();
    }, ALIVE_MS);
    this.alive.unref();
  }

  private async check(conn: ChannelModel, stream: string): Promise<void> {
    const ch = await conn.createChannel().catch((err: unknown) => {
      throw rabbitError(err, this.o.key);
    });
    ch.on('error', () => undefined);
    try {
      await ch.checkQueue(stream);
    } catch (err) {
      throw rabbitError(err, `${this.o.key}.streams`, stream);
    }
    await ch.close().catch(() => undefined);
  }

  /**
   * Where the stream ends, as RabbitMQ says it now (tail-probe.ts); undefined when that is not
   * known (not connected, or RabbitMQ does not answer), so a stalled node is never taken for
   * a stream read to its end. Only asked when the stream looks quiet (idleness).
   */
  async probeTail(topic: string): Promise<number | undefined> {
    const st = this.streams.get(topic);
    const conn = this.conn;
    if (st === undefined || conn === undefined || this.connecting !== undefined || st.next < 0) return undefined;
    const known = Math.max(st.seen, st.next);
    // Delivered but not handed over yet (paused): behind, no need to ask.
    const buffered = st.buf.length === 0 ? undefined : streamOffsetOf(st.buf[st.buf.length - 1] as ConsumeMessage);
    if (buffered !== undefined) return Math.max(known, buffered + 1);
    return probeStreamTail(conn, st.stream, known);
  }

  seek(topic: string, offset: number): void {
    const st = this.streams.get(topic);
    if (st === undefined) return;
    st.next = offset;
    void this.subscribe(st);
  }

  /** Stops reading every stream (a revoked assignment); seek() starts again. */
  unsubscribeAll(): void {
    for (const st of this.streams.values()) {
      st.next = -1;
      st.paused = false;
      st.gen++;
      st.buf = [];
      const ch = st.channel;
      st.channel = undefined;
      void ch?.close().catch(() => undefined);
    }
  }

  pause(topic: string): void {
    const st = this.streams.get(topic);
    if (st !== undefined) st.paused = true;
  }

  resume(topic: string): void {
    const st = this.streams.get(topic);
    if (st === undefined) return;
    st.paused = false;
    void this.pump(st);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.alive !== undefined) clearInterval(this.alive);
    this.unsubscribeAll();
    const c = this.conn;
    this.conn = undefined;
    await c?.close().catch(() => undefined);
  }

  private socketOptions(): Record<string, unknown> {
    const t = this.o.tls;
    if (t === false) return {};
    if (t === true) return { rejectUnauthorized: true };
    return { ...(t.ca === undefined ? {} : { ca: [t.ca] }), ...(t.cert === undefined ? {} : { cert: t.cert }), ...(t.key === undefined ? {} : { key: t.key }), rejectUnauthorized: t.rejectUnauthorized };
  }

  private async open(): Promise<ChannelModel> {
    const u = new URL(this.o.url);
    const target: Options.Connect = {
      protocol: u.protocol.replace(':', ''), hostname: u.hostname, port: u.port === '' ? (u.protocol === 'amqps:' ? 5671 : 5672) : Number(u.port),
      vhost: u.pathname.length > 1 ? decodeURIComponent(u.pathname.slice(1)) : '/', heartbeat: 10,
      username: this.o.username, password: this.o.password,
    };
    let conn: ChannelModel;
    try {
      conn = await connect(target, this.socketOptions());
    } catch (err) {
      throw rabbitError(err, this.o.key);
    }
    conn.on('error', () => undefined);
    conn.on('close', () => {
      if (this.conn !== conn) return;
      this.conn = undefined;
      if (this.running) this.reconnect();
    });
    this.conn = conn;
    return conn;
  }

  /** The node went away: connect again (growing waits) and resubscribe each stream after its last handed-over offset. */
  private reconnect(): void {
    if (this.connecting !== undefined) return;
    for (const st of this.streams.values()) {
      st.gen++;
      st.buf = [];
      st.channel = undefined;
    }
    this.o.log.warn({ source: this.o.key }, 'RabbitMQ connection lost; reconnecting');
    this.connecting = (async () => {
      for (let attempt = 1; this.running; attempt++) {
        await new Promise((r) => setTimeout(r, this.o.reconnectMs?.(attempt) ?? Math.min(5000, 200 * 2 ** Math.min(attempt - 1, 5))));
        if (!this.running) return;
        try {
          await this.open();
          const from = Object.fromEntries([...this.streams.values()].filter((st) => st.next >= 0).map((st) => [st.stream, st.next]));
          this.o.log.info({ source: this.o.key, attempt, from }, 'RabbitMQ reconnected; resubscribing the streams');
          for (const st of this.streams.values()) if (st.next >= 0) await this.subscribe(st);
          return;
        } catch (err) {
          this.o.log.warn({ source: this.o.key, attempt, err: err instanceof Error ? err.message : String(err) }, 'RabbitMQ reconnect failed');
        }
      }
    })().finally(() => {
      this.connecting = undefined;
    });
  }

  private async subscribe(st: StreamState, attempt = 1): Promise<void> {
    const gen = ++st.gen;
    st.buf = [];
    const old = st.channel;
    st.channel = undefined;
    await old?.close().catch(() => undefined);
    const conn = this.conn;
    if (conn === undefined || !this.running || gen !== st.gen) return;
    try {
      const ch = await conn.createChannel();
      ch.on('error', (err: Error) => this.o.log.warn({ stream: st.stream, err: err.message }, 'RabbitMQ channel error'));
      await ch.prefetch(this.o.prefetch);
      if (gen !== st.gen) {
        await ch.close().catch(() => undefined);
        return;
      }
      st.channel = ch;
      await ch.consume(st.stream, (m) => {
        if (m === null || gen !== st.gen) return;
        st.buf.push(m);
        void this.pump(st);
      }, { noAck: false, arguments: { 'x-stream-offset': st.next } });
    } catch (err) {
      if (gen !== st.gen || this.conn !== conn) return; // a seek or a lost connection took over
      // A node just restarted answers 404 "home node ... is down or inaccessible" until the
      // stream's own process is up again: not a missing stream. Subscribe again (at most
      // UNAVAILABLE_TRIES times, growing waits up to 2 s: about a minute) before giving up.
      if (streamStarting(err) && attempt < UNAVAILABLE_TRIES) {
        this.o.log.warn({ stream: st.stream, attempt }, 'RabbitMQ stream not available yet (its node is starting); subscribing again');
        setTimeout(() => {
          if (gen === st.gen && this.running) void this.subscribe(st, attempt + 1);
        }, Math.min(2000, 100 * attempt)).unref();
        return;
      }
      this.h?.crashed(rabbitError(err, `${this.o.key}.streams`, st.stream));
    }
  }

  private async pump(st: StreamState): Promise<void> {
    const h = this.h;
    if (h === undefined || st.busy) return;
    st.busy = true;
    try {
      while (this.running && !st.paused && st.buf.length > 0) {
        const gen = st.gen;
        const ch = st.channel;
        const taken = st.buf;
        st.buf = [];
        const messages: InputMessage[] = [];
        let last: ConsumeMessage | undefined;
        for (const m of taken) {
          const offset = streamOffsetOf(m);
          if (offset === undefined) throw new CepError('CEP_ERR_RABBITMQ_STREAM', `${this.o.key}.streams: ${st.stream} delivered a message without x-stream-offset: it is not a stream (x-queue-type: stream)`);
          // AMQP has no null body: an empty one is read as Kafka's null value (CEP_ERR_INPUT_EMPTY).
          messages.push({ offset, key: null, value: m.content.length === 0 ? null : m.content, timestamp: recordTimeOf(m) });
          last = m;
        }
        if (last === undefined) continue;
        const hw = (messages.at(-1)?.offset ?? 0) + 1;
        st.seen = Math.max(st.seen, hw);
        await h.batch({ topic: st.topic, partition: 0, messages, highWatermark: hw });
        if (gen !== st.gen) continue;
        st.next = hw;
        h.progress({ topic: st.topic, partition: 0 }, hw);
        h.fetched();
        try {
          ch?.ack(last, true);
        } catch {
          // the channel closed meanwhile: the resubscription starts after `next`
        }
      }
    } catch (err) {
      h.crashed(err instanceof Error ? err : new Error(String(err)));
    } finally {
      st.busy = false;
    }
  }
}
