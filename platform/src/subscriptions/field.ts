import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import type { PubSub, Unsubscribe } from '../redis/pubsub';
import type { BaseContext } from '../context';
import { BoundedQueue } from './bounded-queue';
import type { LiveEvent, Topic } from './topic';

/** What the field returns for an event by default: the payload object with its cursor. */
export type WithCursor<P> = P extends object ? P & { cursor: string } : P;

export interface SubscriptionFieldOptions<P, A, C extends BaseContext, R = WithCursor<P>> {
  topic: Topic<P>;
  /** Where the subgraph's pub/sub is (usually put in the context by `createContext`). */
  pubsub: (ctx: C) => PubSub;
  /**
   * Which channels of the topic this subscription listens to. Runs once, when the subscription
   * starts, with the subscriber's context: it is also where the subscription itself is authorized
   * (throw UnauthenticatedError / ForbiddenError / NotFoundError, exactly as in a query resolver).
   */
  keys: (args: A, ctx: C) => string | readonly string[] | Promise<string | readonly string[]>;
  /**
   * Runs for every event before it is delivered to this subscriber: false (or a throw) drops the
   * event for this subscriber only. Rights can change during a long subscription (removed from a
   * conversation, role changed), so check them here rather than only in `keys`.
   */
  authorize?: (payload: P, ctx: C, args: A) => boolean | Promise<boolean>;
  /** What the field returns for an event; by default the payload object with `cursor` added. */
  resolve?: (event: LiveEvent<P>, ctx: C, args: A) => R | Promise<R>;
  /** Events waiting for this subscriber beyond which it is ended as too slow (default 256). */
  maxQueued?: number;
}

/** A GraphQL field config (`{ subscribe, resolve }`) for a Subscription field of a subgraph schema. */
export interface SubscriptionFieldResolvers<P, A, C, R = WithCursor<P>> {
  subscribe: (parent: unknown, args: A, ctx: C, info: GraphQLResolveInfo) => Promise<AsyncIterableIterator<LiveEvent<P>>>;
  resolve: (event: LiveEvent<P>, args: A, ctx: C, info: GraphQLResolveInfo) => R | Promise<R>;
}

const DEFAULT_MAX_QUEUED = 256;
const MAX_CHANNELS_PER_SUBSCRIPTION = 100;

export function slowSubscriberError(queued: number): GraphQLError {
  return new GraphQLError(
    `This subscription fell ${queued} events behind and was ended. Subscribe again and catch up from your last cursor.`,
    { extensions: { code: 'RATE_LIMITED', reason: 'SLOW_SUBSCRIBER' } },
  );
}

/**
 * Resolvers for a Subscription field fed by a pub/sub topic:
 *
 *   Subscription: {
 *     messageAdded: subscriptionField({
 *       topic: messageAdded,
 *       pubsub: (ctx) => ctx.pubsub,
 *       keys: async ({ conversationId }, ctx) => { await ctx.conversations.requireParticipant(ctx, conversationId); return conversationId; },
 *       authorize: (message, ctx) => ctx.conversations.isParticipant(ctx, message.conversationId),
 *     }),
 *   }
 *
 * Each subscriber gets its own bounded queue; events are checked against the topic's schema and
 * `authorize` one at a time, in order. Unsubscribing (or the gateway going away) releases the
 * channel handlers at once.
 */
export function subscriptionField<P, A = Record<string, unknown>, C extends BaseContext = BaseContext, R = WithCursor<P>>(
  options: SubscriptionFieldOptions<P, A, C, R>,
): SubscriptionFieldResolvers<P, A, C, R> {
  const { topic } = options;
  const maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED;
  return {
    async subscribe(_parent, args, ctx) {
      const given = await options.keys(args, ctx);
      const keys = [...new Set(typeof given === 'string' ? [given] : given)];
      if (keys.length === 0 || keys.length > MAX_CHANNELS_PER_SUBSCRIPTION) {
        throw new Error(`${topic.name}: a subscription listens to 1 to ${MAX_CHANNELS_PER_SUBSCRIPTION} channels, not ${keys.length}`);
      }
      const channels = keys.map((key) => topic.channel(key));
      const pubsub = options.pubsub(ctx);
      const unsubscribes: Unsubscribe[] = [];
      const releaseAll = async () => {
        const pending = unsubscribes.splice(0);
        await Promise.all(
          pending.map((u) => u().catch((err: unknown) => ctx.logger.warn({ err, topic: topic.name }, 'unsubscribe failed'))),
        );
      };
      const queue: BoundedQueue<unknown> = new BoundedQueue<unknown>({
        max: maxQueued,
        onOverflow: (queued) => {
          ctx.logger.warn({ topic: topic.name, queued }, 'subscriber too slow; subscription ended');
          queue.fail(slowSubscriberError(queued));
        },
        onEnd: releaseAll,
      });
      try {
        for (const channel of channels) unsubscribes.push(await pubsub.subscribe(channel, (message) => void queue.push(message)));
      } catch (err) {
        await releaseAll();
        throw err;
      }
      return new AuthorizedEvents(queue, (message) => accept(options, message, ctx, args));
    },
    resolve(event, args, ctx) {
      if (options.resolve) return options.resolve(event, ctx, args);
      const { payload, cursor } = event;
      // Without `resolve`, R is WithCursor<P>: exactly what this builds.
      const withCursor: unknown = payload && typeof payload === 'object' && !Array.isArray(payload) ? { ...payload, cursor } : payload;
      return withCursor as R;
    },
  };
}

/** Parses and authorizes one message for one subscriber; null drops it. */
async function accept<P, A, C extends BaseContext, R>(
  options: SubscriptionFieldOptions<P, A, C, R>,
  message: unknown,
  ctx: C,
  args: A,
): Promise<LiveEvent<P> | null> {
  const event = options.topic.parse(message);
  if (!event) {
    ctx.logger.warn({ topic: options.topic.name }, 'malformed live event dropped');
    return null;
  }
  if (!options.authorize) return event;
  try {
    return (await options.authorize(event.payload, ctx, args)) ? event : null;
  } catch (err) {
    // Fail closed: an authorization check that cannot decide does not deliver.
    ctx.logger.warn({ err, topic: options.topic.name }, 'live event authorization failed; event not delivered');
    return null;
  }
}

/** The subscriber's view of its queue: only the events it may see, in order. */
class AuthorizedEvents<P> implements AsyncIterableIterator<LiveEvent<P>> {
  constructor(
    private readonly queue: BoundedQueue<unknown>,
    private readonly check: (message: unknown) => Promise<LiveEvent<P> | null>,
  ) {}

  async next(): Promise<IteratorResult<LiveEvent<P>>> {
    for (;;) {
      const item = await this.queue.next();
      if (item.done) return { value: undefined, done: true };
      const event = await this.check(item.value);
      if (event) return { value: event, done: false };
    }
  }

  return(): Promise<IteratorResult<LiveEvent<P>>> {
    return this.queue.return() as Promise<IteratorResult<LiveEvent<P>>>;
  }

  async throw(error?: unknown): Promise<IteratorResult<LiveEvent<P>>> {
    await this.queue.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
