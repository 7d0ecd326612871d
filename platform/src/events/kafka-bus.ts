import { createHash, randomUUID } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import {
  Kafka,
  Partitioners,
  logLevel as KafkaLogLevel,
  type Admin,
  type Consumer,
  type ConsumerConfig,
  type ConsumerRunConfig,
  type EachBatchPayload,
  type IHeaders,
  type KafkaMessage,
  type Message,
  type Producer,
  type RetryOptions,
  type SASLOptions,
  type TopicMessages,
  type logCreator,
} from 'kafkajs';
import type { Logger } from '../logger';
import { InvalidEventError, eventContracts, validateEvent, type EventEnvelope, type EventType } from './contracts';
import { TRACEPARENT_HEADER } from '../observability/tracing';
import { observeConsumerLag, type PartitionLag } from '../observability/metrics';
import {
  EventCounters,
  RetrySchedule,
  metricsFanOut,
  retryPolicy,
  type DeadLetter,
  type DeadLetterReason,
  type EventBus,
  type EventListener,
  type EventMetrics,
  type RetryPolicy,
} from './bus';
import type { FailureKind } from './failures';

export interface KafkaEventBusOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** Namespaces topics and consumer groups, so several environments can share a cluster. */
  topicPrefix?: string;
  /** Partitions of each event topic: the most consumers one group can spread over. */
  partitions?: number;
  /** False: only check that the topics exist (tools that must not create any). Default true. */
  createTopics?: boolean;
  /** Omitted: the broker's `default.replication.factor` (3 in production clusters). */
  replicationFactor?: number;
  /**
   * How a failing listener is retried in place (holding back its partition, heartbeating) before
   * its event goes to dead letters; infrastructure failures are retried for as long as they last.
   */
  retry?: Partial<RetryPolicy>;
  /** Also report dead letters and handler failures here (the bus always counts them in `counters`). */
  metrics?: EventMetrics;
  /**
   * How kafkajs retries a request before giving up: then a publish fails (the outbox relay tries
   * again later) and a consumer crashes and is restarted. Default: 8 retries, 0.3 s up to 10 s apart.
   */
  clientRetry?: { retries?: number; initialRetryTimeMs?: number; maxRetryTimeMs?: number };
  ssl?: boolean | ConnectionOptions;
  sasl?: SASLOptions;
  consumer?: {
    /** A member that misses heartbeats this long is dropped and its partitions move on. */
    sessionTimeoutMs?: number;
    heartbeatIntervalMs?: number;
    rebalanceTimeoutMs?: number;
    /** Partitions one member works on at the same time; order holds within each. */
    partitionsConsumedConcurrently?: number;
    /**
     * Offsets of handled messages are committed at the end of every fetched batch and, within a
     * batch, at most this often. 0 commits after every message. What is handled but not committed
     * when a member dies is delivered again, and the inbox skips it.
     */
    commitIntervalMs?: number;
  };
  /** How long `deadLetters()` waits to read the dead-letter topic up to its end. */
  deadLetterReadTimeoutMs?: number;
}

/** A dead letter, and where its message was: a replay sends the same bytes back there. */
export interface KafkaDeadLetter extends DeadLetter {
  source: { topic: string; partition: number; offset: string; key: string | null };
}

/** What the dead-letter topic holds, keyed by dead-letter id; a null value marks it replayed. */
interface DeadLetterRecord extends KafkaDeadLetter {
  source: KafkaDeadLetter['source'] & { headers: Record<string, string> };
  /** The original message value, base64, exactly as it arrived. */
  value: string | null;
}

export const EVENT_TYPE_HEADER = 'event-type';
export const EVENT_ID_HEADER = 'event-id';
export const REPLAY_OF_HEADER = 'replay-of';
const REPLAYED_AT_HEADER = 'replayed-at';

const DEFAULT_PARTITIONS = 6;
const DEFAULT_SESSION_TIMEOUT_MS = 30_000;
const DEFAULT_HEARTBEAT_INTERVAL_MS = 3_000;
const DEFAULT_REBALANCE_TIMEOUT_MS = 60_000;
const DEFAULT_CONCURRENCY = 4;
const DEFAULT_COMMIT_INTERVAL_MS = 1_000;
const DEFAULT_DEAD_LETTER_READ_TIMEOUT_MS = 60_000;
/** A fetch waits this long for data; it also bounds how long stopping a consumer takes (kafkajs: 5 s). */
const FETCH_MAX_WAIT_MS = 1_000;
const TOPIC_READY_TIMEOUT_MS = 30_000;
const TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;

const DEFAULT_CLIENT_RETRY = { retries: 8, initialRetryTimeMs: 300, maxRetryTimeMs: 10_000 };

/**
 * kafkajs warns when an idempotent producer has bounded retries. Bounded on purpose: exactly-once
 * comes from the outbox and the inbox, and after a failed send the producer is replaced (a fresh
 * producer id and sequence numbers), so a re-sent batch is a duplicate the inbox absorbs, never a loss.
 */
const BOUNDED_RETRIES_WARNING = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';

/**
 * The production event bus on Apache Kafka (kafkajs).
 *
 * - One topic per event type (`<prefix>.<type>`), created at start with the configured partitions;
 *   the message key is the aggregate id, so one entity's events stay in one partition, in order.
 * - `publish` uses an idempotent producer with acks from all in-sync replicas and resolves only
 *   once Kafka has acknowledged every message.
 * - Each `subscribe` is one member of a Kafka consumer group. Offsets are committed by hand, only
 *   for messages whose listener succeeded or which went to dead letters. A failing listener is
 *   retried in place with backoff, which holds back the rest of its partition (in effect pausing
 *   it) and keeps order, while heartbeats keep the member in its group. Infrastructure failures
 *   are retried until they clear; unknown ones for the retry budget; see `RetrySchedule`.
 * - Dead letters live in the compacted topic `<prefix>.dead-letters`, so every process sees them.
 */
export class KafkaEventBus implements EventBus {
  /** Connects and creates the topics; the usual way to get a bus. */
  static async connect(options: KafkaEventBusOptions): Promise<KafkaEventBus> {
    const bus = new KafkaEventBus(options);
    try {
      await bus.start();
    } catch (err) {
      await bus.close().catch(() => undefined);
      throw err;
    }
    return bus;
  }

  readonly topicPrefix: string;
  readonly deadLetterTopic: string;
  /** Dead letters this process wrote and handler failures it saw, by group and type. */
  readonly counters = new EventCounters();
  private readonly metrics: EventMetrics;
  private readonly logger: Logger;
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private readonly partitions: number;
  private readonly retry: RetryPolicy;
  private readonly consumerOptions: Required<NonNullable<KafkaEventBusOptions['consumer']>>;
  private readonly deadLetterReadTimeoutMs: number;
  private readonly clientRetry: RetryOptions;
  private started: Promise<void> | null = null;
  private producer: Promise<Producer> | null = null;
  private readonly members = new Set<SupervisedConsumer>();
  private readonly groupTypes = new Map<string, string>();
  private deadLetterLog: Promise<DeadLetterLog> | null = null;
  private closing = false;
  private closed: Promise<void> | null = null;

  constructor(private readonly options: KafkaEventBusOptions) {
    if (options.brokers.length === 0) throw new Error('KafkaEventBus: no brokers given');
    this.topicPrefix = options.topicPrefix ?? 'market';
    if (!TOPIC_NAME.test(this.topicPrefix)) throw new Error(`KafkaEventBus: "${this.topicPrefix}" is not a valid topic prefix`);
    this.deadLetterTopic = `${this.topicPrefix}.dead-letters`;
    this.partitions = options.partitions ?? DEFAULT_PARTITIONS;
    this.retry = retryPolicy(options.retry);
    this.metrics = metricsFanOut(this.counters, options.metrics);
    this.consumerOptions = {
      sessionTimeoutMs: options.consumer?.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: options.consumer?.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
      rebalanceTimeoutMs: options.consumer?.rebalanceTimeoutMs ?? DEFAULT_REBALANCE_TIMEOUT_MS,
      partitionsConsumedConcurrently: options.consumer?.partitionsConsumedConcurrently ?? DEFAULT_CONCURRENCY,
      commitIntervalMs: options.consumer?.commitIntervalMs ?? DEFAULT_COMMIT_INTERVAL_MS,
    };
    this.deadLetterReadTimeoutMs = options.deadLetterReadTimeoutMs ?? DEFAULT_DEAD_LETTER_READ_TIMEOUT_MS;
    const clientRetry = { ...DEFAULT_CLIENT_RETRY, ...options.clientRetry };
    this.clientRetry = {
      retries: clientRetry.retries,
      initialRetryTime: clientRetry.initialRetryTimeMs,
      maxRetryTime: clientRetry.maxRetryTimeMs,
    };
    this.logger = options.logger.child({ component: 'kafka-event-bus' });
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      ...(options.ssl !== undefined ? { ssl: options.ssl } : {}),
      ...(options.sasl ? { sasl: options.sasl } : {}),
      connectionTimeout: 3_000,
      retry: this.clientRetry,
      logLevel: this.logger.isLevelEnabled('debug') ? KafkaLogLevel.DEBUG : KafkaLogLevel.INFO,
      logCreator: kafkaLogCreator(this.logger),
    });
    this.admin = this.kafka.admin({ retry: this.clientRetry });
  }

  /**
   * The topic that carries an event type: one topic per aggregate stream (`listings.listing.upserted`
   * and `listings.listing.deleted` share `<prefix>.listings.listing`), so all events of one entity
   * are in one partition, in the order they happened, whatever their type.
   */
  topicFor(type: EventType): string {
    return `${this.topicPrefix}.${type.split('.').slice(0, 2).join('.')}`;
  }

  /** Connects the admin client and the producer and creates missing topics. Idempotent; retried after a failure. */
  start(): Promise<void> {
    if (!this.started) {
      const starting = (async () => {
        await this.admin.connect();
        await this.ensureTopics();
        await this.getProducer();
      })();
      this.started = starting;
      starting.catch(() => {
        if (this.started === starting) this.started = null;
      });
    }
    return this.started;
  }

  /**
   * Creates the event topics and the dead-letter topic that do not exist yet (the broker's
   * automatic creation is off). Existing topics are left alone: adding partitions would move keys
   * between partitions and break per-entity order, so a mismatch is only reported.
   */
  async ensureTopics(): Promise<void> {
    const replication = this.options.replicationFactor !== undefined ? { replicationFactor: this.options.replicationFactor } : {};
    const wanted = [
      ...[...new Set((Object.keys(eventContracts) as EventType[]).map((type) => this.topicFor(type)))].map((topic) => ({
        topic,
        numPartitions: this.partitions,
        ...replication,
      })),
      {
        // One partition: dead letters are few, and one log keeps them in the order they failed.
        // Compacted, keyed by dead-letter id: a replayed letter's tombstone removes it for good.
        topic: this.deadLetterTopic,
        numPartitions: 1,
        ...replication,
        configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
      },
    ];
    const existing = new Set(await this.admin.listTopics());
    const missing = wanted.filter((t) => !existing.has(t.topic));
    if (missing.length > 0 && this.options.createTopics === false) {
      const names = missing.map((t) => t.topic);
      const shown = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
      throw new Error(`kafka topics missing (is the topic prefix "${this.topicPrefix}" right?): ${shown}`);
    }
    if (missing.length > 0) {
      // Resolves false when another process created them first, which is just as good.
      await this.admin.createTopics({ topics: missing, waitForLeaders: false });
      this.logger.info({ topics: missing.map((t) => t.topic), partitions: this.partitions }, 'kafka topics created');
    }
    const topics = await this.waitForLeaders(wanted.map((t) => t.topic));
    for (const topic of topics) {
      const expected = wanted.find((w) => w.topic === topic.name)?.numPartitions;
      if (expected !== undefined && topic.partitions.length !== expected) {
        this.logger.warn(
          { topic: topic.name, partitions: topic.partitions.length, expected },
          'kafka topic has a different partition count; left as is',
        );
      }
    }
  }

  /**
   * Until every partition has a leader. kafkajs's own `waitForLeaders` gives up when the broker
   * does not know a new topic yet, which a KRaft broker briefly does not.
   */
  private async waitForLeaders(names: string[]) {
    const deadline = Date.now() + TOPIC_READY_TIMEOUT_MS;
    for (;;) {
      try {
        const { topics } = await this.admin.fetchTopicMetadata({ topics: names });
        if (topics.length === names.length && topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)))
          return topics;
      } catch (err) {
        if (Date.now() > deadline) throw err;
      }
      if (Date.now() > deadline) throw new Error(`kafka topics have no leaders after ${TOPIC_READY_TIMEOUT_MS} ms: ${names.join(', ')}`);
      await sleep(100);
    }
  }

  async publish(events: EventEnvelope[]): Promise<void> {
    if (this.closing) throw new Error('event bus is closed');
    if (events.length === 0) return;
    await this.start();
    const byTopic = new Map<string, Message[]>();
    for (const event of events) {
      if (!(event.type in eventContracts)) throw new InvalidEventError(`unknown event type ${String(event.type)}`);
      const topic = this.topicFor(event.type);
      const messages = byTopic.get(topic) ?? [];
      // The trace context travels as the W3C header (what other tools read), not in the value.
      const { traceContext, ...value } = event;
      messages.push({
        key: event.aggregateId,
        value: JSON.stringify(value),
        headers: {
          [EVENT_TYPE_HEADER]: event.type,
          [EVENT_ID_HEADER]: event.id,
          ...(traceContext ? { [TRACEPARENT_HEADER]: traceContext } : {}),
        },
      });
      byTopic.set(topic, messages);
    }
    await this.send([...byTopic].map(([topic, messages]) => ({ topic, messages })));
  }

  async subscribe(group: string, types: readonly EventType[], listener: EventListener): Promise<void> {
    if (this.closing) throw new Error('event bus is closed');
    if (types.length === 0) {
      this.logger.warn({ group }, 'subscription without event types ignored');
      return;
    }
    // Kafka's assignors hand out the union of the members' topics, so members of one group that
    // listen to different types would be given partitions they never read.
    const typeKey = [...new Set(types)].sort().join(',');
    const known = this.groupTypes.get(group);
    if (known !== undefined && known !== typeKey) {
      throw new Error(`consumer group ${group} is already subscribed to [${known}]; every member of a group must listen to the same types`);
    }
    this.groupTypes.set(group, typeKey);
    await this.start();

    const wanted = new Set(types);
    const member = new SupervisedConsumer({
      kafka: this.kafka,
      retry: this.clientRetry,
      logger: this.logger.child({ group }),
      groupId: this.groupId(group),
      topics: [...new Set([...wanted].map((t) => this.topicFor(t)))],
      config: {
        sessionTimeout: this.consumerOptions.sessionTimeoutMs,
        heartbeatInterval: this.consumerOptions.heartbeatIntervalMs,
        rebalanceTimeout: this.consumerOptions.rebalanceTimeoutMs,
        maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
        allowAutoTopicCreation: false,
      },
      run: {
        partitionsConsumedConcurrently: this.consumerOptions.partitionsConsumedConcurrently,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => this.handleBatch(group, wanted, listener, payload),
      },
    });
    this.members.add(member);
    this.unobserveLag ??= observeConsumerLag(() => this.consumerLag());
    await member.start();
  }

  private unobserveLag: (() => void) | null = null;

  /** How far each of this bus's groups is behind, per partition (read when Prometheus scrapes). */
  async consumerLag(): Promise<PartitionLag[]> {
    const lags: PartitionLag[] = [];
    for (const [group, typeKey] of this.groupTypes) {
      const topics = [...new Set(typeKey.split(',').map((t) => this.topicFor(t as EventType)))];
      const committed = await this.admin.fetchOffsets({ groupId: this.groupId(group), topics });
      for (const { topic, partitions } of committed) {
        const ends = new Map((await this.admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
        for (const p of partitions) {
          const end = ends.get(p.partition) ?? 0;
          const at = Number(p.offset);
          lags.push({ group, topic, partition: p.partition, lag: Math.max(0, at < 0 ? end : end - at) });
        }
      }
    }
    return lags;
  }

  /** Every dead letter not yet replayed, from whichever process wrote it; newest last. */
  async deadLetters(): Promise<KafkaDeadLetter[]> {
    const log = await this.readDeadLetters();
    return log
      .list()
      .sort((a, b) => a.failedAt.localeCompare(b.failedAt))
      .map(({ value: _value, source: { headers: _headers, ...source }, ...letter }) => ({ ...letter, source }));
  }

  /**
   * Sends a dead letter's original message back to its topic, then marks the letter replayed.
   * Every group on that topic receives it again; those that handled it already skip it through
   * their inbox. A crash between the two steps leaves the letter listed, and replaying it again
   * only produces another duplicate for the inboxes.
   */
  async replayDeadLetter(id: string): Promise<boolean> {
    if (this.closing) throw new Error('event bus is closed');
    const log = await this.readDeadLetters();
    const letter = log.get(id);
    if (!letter) return false;
    await this.send([
      {
        topic: letter.source.topic,
        messages: [
          {
            key: letter.source.key,
            value: letter.value === null ? null : Buffer.from(letter.value, 'base64'),
            headers: { ...letter.source.headers, [REPLAY_OF_HEADER]: letter.id },
          },
        ],
      },
    ]);
    const replayedAt = new Date().toISOString();
    await this.send([
      { topic: this.deadLetterTopic, messages: [{ key: letter.id, value: null, headers: { [REPLAYED_AT_HEADER]: replayedAt } }] },
    ]);
    log.forget(letter.id);
    this.logger.info({ deadLetterId: letter.id, group: letter.group, topic: letter.source.topic, replayedAt }, 'dead letter replayed');
    return true;
  }

  async close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing = true;
      this.unobserveLag?.();
      await this.started?.catch(() => undefined);
      // Members first: a batch in progress finishes its current message and commits what it handled.
      await Promise.allSettled([...this.members].map((m) => m.stop()));
      this.members.clear();
      if (this.deadLetterLog) await (await this.deadLetterLog.catch(() => null))?.stop();
      const producer = this.producer;
      this.producer = null;
      if (producer) await (await producer.catch(() => null))?.disconnect().catch(() => undefined);
      await this.admin.disconnect().catch(() => undefined);
    })();
    return this.closed;
  }

  private groupId(group: string): string {
    return `${this.topicPrefix}.${group}`;
  }

  private getProducer(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // Murmur2, as the Java client: every client maps a key to the same partition.
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: this.clientRetry,
      });
      const connecting = producer.connect().then(() => producer);
      this.producer = connecting;
      connecting.catch(() => {
        if (this.producer === connecting) this.producer = null;
      });
    }
    return this.producer;
  }

  /**
   * Sends and waits for acknowledgement by all in-sync replicas. After any failure the producer is
   * replaced: kafkajs's idempotent sequence numbers are not trustworthy after a failed request
   * (tulios/kafkajs#598), and a new producer id makes the next attempt start clean.
   */
  private async send(topicMessages: TopicMessages[]): Promise<void> {
    const current = this.getProducer();
    try {
      const producer = await current;
      await producer.sendBatch({ topicMessages, acks: -1 });
    } catch (err) {
      if (this.producer === current) {
        this.producer = null;
        void current.then((p) => p.disconnect()).catch(() => undefined);
      }
      this.logger.warn({ err, topics: topicMessages.map((t) => t.topic) }, 'kafka send failed; producer replaced');
      throw err;
    }
  }

  /**
   * One fetched batch of one partition, in order. Each message is resolved (and periodically
   * committed) only after its listener succeeded or it went to dead letters; stopping in the
   * middle leaves the rest unresolved, so the next owner of the partition starts there.
   */
  private async handleBatch(group: string, types: ReadonlySet<EventType>, listener: EventListener, payload: EachBatchPayload) {
    const { batch } = payload;
    const stopping = () => this.closing || !payload.isRunning() || payload.isStale();
    let resolved = false;
    let lastCommit = Date.now();
    const commit = async () => {
      if (!resolved) return;
      await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets());
      resolved = false;
      lastCommit = Date.now();
    };
    try {
      for (const message of batch.messages) {
        if (stopping()) break;
        const outcome = await this.deliver(group, types, listener, batch.topic, batch.partition, message, payload.heartbeat, stopping);
        if (outcome === 'interrupted') break;
        payload.resolveOffset(message.offset);
        resolved = true;
        if (Date.now() - lastCommit >= this.consumerOptions.commitIntervalMs) await commit();
        await payload.heartbeat();
      }
      await commit();
    } catch (err) {
      // Typically a rebalance announced by a heartbeat: keep the progress made, then let kafkajs rejoin.
      await commit().catch(() => undefined);
      throw err;
    }
  }

  private async deliver(
    group: string,
    types: ReadonlySet<EventType>,
    listener: EventListener,
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
    stopping: () => boolean,
  ): Promise<'handled' | 'skipped' | 'dead-lettered' | 'interrupted'> {
    let event: EventEnvelope;
    try {
      event = this.decode(topic, message);
    } catch (err) {
      await this.bury(group, topic, partition, message, err, undefined, 'permanent', 'permanent', 0);
      return 'dead-lettered';
    }
    // A stream's topic carries every type of its aggregate; this group handles only some of them.
    if (!types.has(event.type)) return 'skipped';
    const schedule = new RetrySchedule(this.retry);
    for (;;) {
      try {
        await listener(event);
        return 'handled';
      } catch (err) {
        // Shutting down is no reason to bury an event: it stays uncommitted and comes back.
        if (stopping()) return 'interrupted';
        const decision = schedule.afterFailure(err);
        this.metrics.handlerFailed?.({ group, type: event.type, failure: decision.failure });
        if (decision.action === 'dead-letter') {
          await this.bury(group, topic, partition, message, err, event, decision.reason, decision.failure, decision.attempt);
          return 'dead-lettered';
        }
        const { failure, attempt, delayMs } = decision;
        this.logger.warn(
          {
            err,
            group,
            eventId: event.id,
            type: event.type,
            topic,
            partition,
            offset: message.offset,
            failure,
            attempt,
            delay: Math.round(delayMs),
          },
          failure === 'infrastructure'
            ? 'event handler failed on infrastructure; partition held until it recovers'
            : 'event handler failed; retrying',
        );
        if (!(await pause(delayMs, heartbeat, stopping))) return 'interrupted';
      }
    }
  }

  private decode(topic: string, message: KafkaMessage): EventEnvelope {
    if (!message.value) throw new InvalidEventError('empty message');
    let raw: unknown;
    try {
      raw = JSON.parse(message.value.toString('utf8'));
    } catch {
      throw new InvalidEventError('message value is not JSON');
    }
    const { traceContext: _ignored, ...fields } = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    const event = validateEvent(raw && typeof raw === 'object' ? fields : raw);
    const traceparent = headersToStrings(message.headers)[TRACEPARENT_HEADER];
    if (traceparent) event.traceContext = traceparent;
    if (this.topicFor(event.type) !== topic) {
      throw new InvalidEventError(`${event.type} does not belong on topic ${topic}`);
    }
    return event;
  }

  private async bury(
    group: string,
    topic: string,
    partition: number,
    message: KafkaMessage,
    err: unknown,
    event: EventEnvelope | undefined,
    reason: DeadLetterReason,
    failure: FailureKind,
    attempts: number,
  ) {
    const error = err instanceof Error ? err.message : String(err);
    const record: DeadLetterRecord = {
      id: deadLetterId(group, topic, partition, message.offset),
      group,
      error,
      failedAt: new Date().toISOString(),
      event: event ?? readableValue(message.value),
      source: {
        topic,
        partition,
        offset: message.offset,
        key: message.key?.toString('utf8') ?? null,
        headers: headersToStrings(message.headers),
      },
      value: message.value?.toString('base64') ?? null,
    };
    await this.send([{ topic: this.deadLetterTopic, messages: [{ key: record.id, value: JSON.stringify(record) }] }]);
    const type = event?.type ?? headersToStrings(message.headers)[EVENT_TYPE_HEADER] ?? 'unknown';
    this.metrics.deadLettered({ group, type, reason });
    this.logger.error(
      {
        deadLetterId: record.id,
        group,
        topic,
        partition,
        offset: message.offset,
        eventId: event?.id,
        type,
        reason,
        failure,
        attempts,
        error,
        deadLetters: this.counters.deadLetterCount({ group, type }),
      },
      'event moved to dead letters',
    );
  }

  private readDeadLetters(): Promise<DeadLetterLog> {
    if (!this.deadLetterLog) {
      const opening = (async () => {
        await this.start();
        const groupId = `${this.groupId('dead-letters.reader')}.${randomUUID()}`;
        const log = new DeadLetterLog(this.kafka, this.clientRetry, this.admin, this.deadLetterTopic, groupId, this.logger);
        await log.start();
        return log;
      })();
      this.deadLetterLog = opening;
      opening.catch(() => {
        if (this.deadLetterLog === opening) this.deadLetterLog = null;
      });
    }
    return this.deadLetterLog.then(async (log) => {
      await log.catchUp(this.deadLetterReadTimeoutMs);
      return log;
    });
  }
}

/**
 * Tails the dead-letter topic into memory under a throwaway consumer group (kafkajs cannot read
 * without one), and tells when it has read everything written before a given moment.
 */
class DeadLetterLog {
  private readonly letters = new Map<string, DeadLetterRecord>();
  private readonly nextOffsets = new Map<number, bigint>();
  private readonly consumer: SupervisedConsumer;

  constructor(
    kafka: Kafka,
    retry: RetryOptions,
    private readonly admin: Admin,
    private readonly topic: string,
    private readonly groupId: string,
    private readonly logger: Logger,
  ) {
    this.consumer = new SupervisedConsumer({
      kafka,
      retry,
      logger: logger.child({ group: groupId }),
      groupId,
      topics: [topic],
      config: { allowAutoTopicCreation: false, maxWaitTimeInMs: FETCH_MAX_WAIT_MS },
      // Never commits: every reader starts from the beginning.
      run: { eachMessage: async ({ partition, message }) => this.apply(partition, message) },
    });
  }

  start(): Promise<void> {
    return this.consumer.start();
  }

  /** Waits until every record that was in the topic when called has been read. */
  async catchUp(timeoutMs: number): Promise<void> {
    const ends = await this.admin.fetchTopicOffsets(this.topic);
    const deadline = Date.now() + timeoutMs;
    const behind = () => ends.filter((p) => BigInt(p.high) > BigInt(p.low) && (this.nextOffsets.get(p.partition) ?? 0n) < BigInt(p.high));
    while (behind().length > 0) {
      if (Date.now() > deadline) {
        throw new Error(`could not read ${this.topic} to its end within ${timeoutMs} ms`);
      }
      await sleep(25);
    }
  }

  list(): DeadLetterRecord[] {
    return [...this.letters.values()];
  }

  get(id: string): DeadLetterRecord | undefined {
    return this.letters.get(id);
  }

  forget(id: string): void {
    this.letters.delete(id);
  }

  async stop(): Promise<void> {
    await this.consumer.stop();
    // Nothing was committed, so the group is empty; remove it now instead of waiting for expiry.
    await this.admin.deleteGroups([this.groupId]).catch(() => undefined);
  }

  private apply(partition: number, message: KafkaMessage) {
    const id = message.key?.toString('utf8');
    if (id) {
      if (message.value === null) {
        this.letters.delete(id);
      } else {
        try {
          this.letters.set(id, JSON.parse(message.value.toString('utf8')) as DeadLetterRecord);
        } catch (err) {
          this.logger.warn({ err, topic: this.topic, partition, offset: message.offset }, 'unreadable dead-letter record skipped');
        }
      }
    }
    this.nextOffsets.set(partition, BigInt(message.offset) + 1n);
  }
}

interface SupervisedConsumerOptions {
  kafka: Kafka;
  retry: RetryOptions;
  logger: Logger;
  groupId: string;
  topics: string[];
  config: Omit<ConsumerConfig, 'groupId' | 'retry'>;
  run: Omit<ConsumerRunConfig, 'autoCommit'>;
}

/**
 * A kafkajs consumer that stays in its group. kafkajs restarts a crashed consumer by itself when
 * the error is retriable (a broker restart ends up as one); for the others it gives up, so this
 * starts a fresh consumer with backoff until it has joined again or is stopped.
 */
class SupervisedConsumer {
  private consumer: Consumer | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private restarts = 0;
  private stopped = false;

  constructor(private readonly options: SupervisedConsumerOptions) {}

  async start(): Promise<void> {
    const { kafka, logger, groupId, topics } = this.options;
    const consumer = kafka.consumer({
      ...this.options.config,
      groupId,
      retry: {
        ...this.options.retry,
        // Asked after a crash with a retriable cause; the CRASH event below logs it.
        restartOnFailure: async () => !this.stopped,
      },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      logger.error({ err: payload.error, groupId, restart: payload.restart }, 'kafka consumer crashed');
      if (!payload.restart && !this.stopped) this.scheduleRestart(consumer);
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.restarts = 0;
      logger.info(
        { groupId, memberId: payload.memberId, isLeader: payload.isLeader, assignment: payload.memberAssignment },
        'kafka consumer joined its group',
      );
    });
    consumer.on(consumer.events.RECEIVED_UNSUBSCRIBED_TOPICS, ({ payload }) => {
      logger.error(
        { groupId, topicsNotSubscribed: payload.topicsNotSubscribed },
        'group members subscribe to different topics; those partitions are not consumed',
      );
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({ ...this.options.run, autoCommit: false });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await this.consumer?.disconnect();
  }

  private scheduleRestart(crashed: Consumer) {
    const delay = Math.min(60_000, 1_000 * 2 ** this.restarts++);
    this.options.logger.warn({ groupId: this.options.groupId, delay }, 'restarting kafka consumer');
    this.restartTimer = setTimeout(() => {
      void (async () => {
        await crashed.disconnect().catch(() => undefined);
        if (this.stopped) return;
        try {
          await this.start();
        } catch (err) {
          this.options.logger.error({ err, groupId: this.options.groupId }, 'kafka consumer restart failed');
          if (this.consumer && !this.stopped) this.scheduleRestart(this.consumer);
        }
      })();
    }, delay);
  }
}

/** The same failed message in the same group always gets the same id, so a retried bury adds nothing. */
function deadLetterId(group: string, topic: string, partition: number, offset: string): string {
  const h = createHash('sha256').update(`${group}\0${topic}\0${partition}\0${offset}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function readableValue(value: Buffer | null): unknown {
  if (!value) return null;
  const text = value.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name] = (Array.isArray(value) ? value : [value]).map((v) => v.toString()).join(',');
  }
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits between retries, heartbeating so the group keeps the member; false when stopping. */
async function pause(ms: number, heartbeat: () => Promise<void>, stopping: () => boolean): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (stopping()) return false;
    await sleep(Math.min(250, until - Date.now()));
    await heartbeat();
  }
  return !stopping();
}

const KAFKA_LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

/** kafkajs logs through the service's pino logger, as structured fields. */
function kafkaLogCreator(logger: Logger): logCreator {
  const kafkaLogger = logger.child({ library: 'kafkajs' });
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, ...fields } = log;
      if (message === BOUNDED_RETRIES_WARNING) return;
      kafkaLogger[KAFKA_LEVELS[level] ?? 'info']({ namespace, ...fields }, message);
    };
}
