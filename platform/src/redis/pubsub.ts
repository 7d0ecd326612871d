import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import { LogThrottle, REDIS_CONNECTION_DEFAULTS, describeError, duplicateRedis } from './connection';

export type MessageHandler<T extends object = Record<string, unknown>> = (message: T) => void | Promise<void>;
/** Removes one handler; idempotent, never rejects. */
export type Unsubscribe = () => Promise<void>;

/**
 * Fan-out of JSON messages to every replica's local handlers, for GraphQL subscriptions.
 * At-most-once: a message published while a replica is disconnected never reaches it, so live
 * clients catch up with a cursor query after a reconnect. Exact channel names, no patterns.
 */
export interface PubSub {
  /** Never rejects because the broker is down: the message is dropped and the drop is logged. */
  publish(channel: string, message: object): Promise<void>;
  /**
   * Resolves once messages published afterwards will reach the handler (or, while the broker is
   * down, once the handler is registered: it is subscribed as soon as the broker is back).
   */
  subscribe<T extends object = Record<string, unknown>>(channel: string, handler: MessageHandler<T>): Promise<Unsubscribe>;
  /** Channels with at least one local handler. */
  channels(): string[];
  close(): Promise<void>;
}

interface Subscription {
  handler: MessageHandler<object>;
  active: boolean;
}

interface Channel {
  subscriptions: Set<Subscription>;
  /** Settles when the broker has confirmed (or failed) the subscription. */
  confirmed: Promise<void>;
}

/** The local side shared by the adapters: channel → handlers, and isolated dispatch. */
class LocalHandlers {
  readonly channels = new Map<string, Channel>();
  readonly throttle: LogThrottle;

  constructor(
    private readonly logger: Logger,
    logIntervalMs: number,
  ) {
    this.throttle = new LogThrottle(logIntervalMs);
  }

  /** Registers a handler; `subscribeRemote` runs only for a channel's first handler. */
  add(
    channel: string,
    handler: MessageHandler<object>,
    subscribeRemote: () => Promise<void>,
  ): { subscription: Subscription; confirmed: Promise<void> } {
    const subscription: Subscription = { handler, active: true };
    let entry = this.channels.get(channel);
    if (!entry) {
      entry = { subscriptions: new Set(), confirmed: Promise.resolve() };
      this.channels.set(channel, entry);
      entry.subscriptions.add(subscription);
      entry.confirmed = subscribeRemote();
    } else {
      entry.subscriptions.add(subscription);
    }
    return { subscription, confirmed: entry.confirmed };
  }

  /** Whether this was the channel's last handler (the remote subscription must then be released). */
  remove(channel: string, subscription: Subscription): boolean {
    if (!subscription.active) return false;
    subscription.active = false;
    const entry = this.channels.get(channel);
    if (!entry?.subscriptions.delete(subscription) || entry.subscriptions.size > 0) return false;
    this.channels.delete(channel);
    return true;
  }

  dispatch(channel: string, raw: string): void {
    const entry = this.channels.get(channel);
    if (!entry) return;
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      message = undefined;
    }
    if (typeof message !== 'object' || message === null) {
      this.throttle.log(this.logger, 'warn', 'malformed', { channel }, 'pub/sub message is not a JSON object; dropped');
      return;
    }
    for (const subscription of [...entry.subscriptions]) {
      if (!subscription.active) continue;
      try {
        const result = subscription.handler(message);
        if (result instanceof Promise) result.catch((err: unknown) => this.handlerFailed(channel, err));
      } catch (err) {
        this.handlerFailed(channel, err);
      }
    }
  }

  clear(): void {
    for (const entry of this.channels.values()) for (const s of entry.subscriptions) s.active = false;
    this.channels.clear();
  }

  private handlerFailed(channel: string, err: unknown) {
    this.throttle.log(this.logger, 'error', 'handler', { channel, err }, 'pub/sub handler failed');
  }
}

export interface RedisPubSubOptions {
  /** Channel namespace shared by publishers and subscribers, for example `market:`. */
  prefix: string;
  /** Name of the dedicated subscriber connection in logs and `CLIENT LIST`. */
  subscriberName?: string;
  /** How long `subscribe` waits for a connection attempt already under way. */
  connectWaitMs?: number;
  logIntervalMs?: number;
}

/**
 * Redis pub/sub with a dedicated subscriber connection. The local handler map is the truth: the
 * connection holds one Redis subscription per channel with at least one handler, released with
 * the last handler, and after every reconnect it subscribes exactly the channels in the map.
 * (ioredis's own autoResubscribe is off: it would replay its last known set, missing channels
 * subscribed during the outage and reviving ones released during it.)
 */
export class RedisPubSub implements PubSub {
  private readonly subscriber: Redis;
  private readonly local: LocalHandlers;
  private readonly prefix: string;
  private readonly connectWaitMs: number;
  private closed = false;
  /** The latest resubscription after a (re)connect. */
  private resubscribed: Promise<void> = Promise.resolve();

  constructor(
    private readonly publisher: Redis,
    private readonly logger: Logger,
    options: RedisPubSubOptions,
  ) {
    this.prefix = options.prefix;
    this.connectWaitMs = options.connectWaitMs ?? 2_000;
    const logIntervalMs = options.logIntervalMs ?? REDIS_CONNECTION_DEFAULTS.logIntervalMs;
    this.local = new LocalHandlers(logger, logIntervalMs);
    this.subscriber = duplicateRedis(
      publisher,
      logger,
      { name: options.subscriberName ?? 'redis-subscriber', logIntervalMs },
      { autoResubscribe: false, lazyConnect: false },
    );
    this.subscriber.on('message', (channel: string, raw: string) => this.local.dispatch(channel, raw));
    this.subscriber.on('ready', () => this.resubscribe());
  }

  async publish(channel: string, message: object): Promise<void> {
    if (this.closed) throw new Error('pub/sub is closed');
    const json = JSON.stringify(message);
    try {
      await this.publisher.publish(this.prefix + channel, json);
    } catch (err) {
      this.local.throttle.log(
        this.logger,
        'warn',
        'publish',
        { channel, error: describeError(err) },
        'redis pub/sub unavailable; message dropped (at-most-once; clients catch up by cursor)',
      );
    }
  }

  async subscribe<T extends object = Record<string, unknown>>(channel: string, handler: MessageHandler<T>): Promise<Unsubscribe> {
    if (this.closed) throw new Error('pub/sub is closed');
    const name = this.prefix + channel;
    const { subscription, confirmed } = this.local.add(name, handler as MessageHandler<object>, () => this.subscribeRemote(name));
    await confirmed;
    return async () => {
      if (this.local.remove(name, subscription)) await this.unsubscribeRemote(name);
    };
  }

  channels(): string[] {
    return [...this.local.channels.keys()].map((name) => name.slice(this.prefix.length));
  }

  /** Closes the subscriber connection; the publisher belongs to the caller. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.local.clear();
    this.subscriber.disconnect();
  }

  private subscribeRemote(name: string): Promise<void> {
    // Sent at once when connected, so commands for one channel reach Redis in call order.
    if (this.subscriber.status === 'ready') {
      return this.subscriber.subscribe(name).then(
        () => undefined,
        (err: unknown) => this.failed('subscribe', err),
      );
    }
    // Otherwise the resubscription on 'ready' includes this channel (it is already in the map).
    return this.connected().then((ok) => (ok ? this.resubscribed : undefined));
  }

  private async unsubscribeRemote(name: string): Promise<void> {
    // A connection that is not ready holds no subscription (a new one starts empty).
    if (this.subscriber.status !== 'ready') return;
    try {
      await this.subscriber.unsubscribe(name);
    } catch (err) {
      this.failed('unsubscribe', err);
    }
  }

  private resubscribe() {
    const names = [...this.local.channels.keys()];
    if (names.length === 0 || this.closed) return;
    this.resubscribed = this.subscriber.subscribe(...names).then(
      () => this.logger.info({ channels: names.length }, 'redis pub/sub resubscribed'),
      (err: unknown) => this.failed('resubscribe', err),
    );
  }

  /** Ready now, or after a connection attempt already under way succeeds. */
  private connected(): Promise<boolean> {
    const status = this.subscriber.status;
    if (status === 'ready') return Promise.resolve(true);
    if (status !== 'wait' && status !== 'connecting' && status !== 'connect') return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.subscriber.off('ready', onReady).off('close', onClose);
        resolve(ok);
      };
      const onReady = () => done(true);
      const onClose = () => done(false);
      const timer = setTimeout(() => done(false), this.connectWaitMs);
      this.subscriber.once('ready', onReady).once('close', onClose);
    });
  }

  private failed(op: string, err: unknown) {
    this.local.throttle.log(
      this.logger,
      'warn',
      op,
      { op, error: describeError(err) },
      'redis pub/sub command failed; channels are resubscribed when the connection is back',
    );
  }
}

/** The embedded-mode pub/sub: the same contract (JSON copies, async delivery) inside one process. */
export class MemoryPubSub implements PubSub {
  private readonly local: LocalHandlers;
  private closed = false;

  constructor(logger: Logger, options: { logIntervalMs?: number } = {}) {
    this.local = new LocalHandlers(logger, options.logIntervalMs ?? REDIS_CONNECTION_DEFAULTS.logIntervalMs);
  }

  async publish(channel: string, message: object): Promise<void> {
    if (this.closed) throw new Error('pub/sub is closed');
    const json = JSON.stringify(message);
    queueMicrotask(() => this.local.dispatch(channel, json));
  }

  async subscribe<T extends object = Record<string, unknown>>(channel: string, handler: MessageHandler<T>): Promise<Unsubscribe> {
    if (this.closed) throw new Error('pub/sub is closed');
    const { subscription } = this.local.add(channel, handler as MessageHandler<object>, async () => {});
    return async () => {
      this.local.remove(channel, subscription);
    };
  }

  channels(): string[] {
    return [...this.local.channels.keys()];
  }

  async close(): Promise<void> {
    this.closed = true;
    this.local.clear();
  }
}
