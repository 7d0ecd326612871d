import type { GraphQLResolveInfo } from 'graphql';
import { z } from 'zod';
import { createLogger } from '../logger';
import { MemoryPubSub } from '../redis/pubsub';
import type { BaseContext } from '../context';
import { UnauthenticatedError } from '../errors';
import type { Identity } from '../identity';
import { subscriptionField } from './field';
import { defineTopic, publishLiveEvent } from './topic';

const logger = createLogger('test', 'silent');
const info = {} as GraphQLResolveInfo;
const messageAddedPayload = z.object({ id: z.string(), conversationId: z.string(), to: z.array(z.string()) });
const messageAdded = defineTopic('test.messageAdded', messageAddedPayload);
type Ctx = BaseContext & { pubsub: MemoryPubSub };

const ctxFor = (pubsub: MemoryPubSub, userId: string | null): Ctx => ({
  identity: userId ? ({ userId, role: 'BUYER', sessionId: 's' } satisfies Identity) : null,
  client: { ip: null, userAgent: null },
  requestId: 'r',
  logger,
  pubsub,
});

const field = (maxQueued?: number) =>
  subscriptionField<z.infer<typeof messageAddedPayload>, { conversationId: string }, Ctx>({
    topic: messageAdded,
    pubsub: (ctx) => ctx.pubsub,
    keys: ({ conversationId }, ctx) => {
      if (!ctx.identity) throw new UnauthenticatedError();
      return conversationId;
    },
    authorize: (message, ctx) => message.to.includes(ctx.identity!.userId),
    ...(maxQueued ? { maxQueued } : {}),
  });
const publish = (pubsub: MemoryPubSub, id: string, to: string[], cursor = id) =>
  publishLiveEvent(pubsub, messageAdded, 'c1', { cursor, payload: { id, conversationId: 'c1', to } });

describe('subscriptionField', () => {
  it('delivers, in order, only the events the subscriber may see, each with its cursor', async () => {
    const pubsub = new MemoryPubSub(logger);
    const resolvers = field();
    const ctx = ctxFor(pubsub, 'alice');
    const events = await resolvers.subscribe(undefined, { conversationId: 'c1' }, ctx, info);
    await publish(pubsub, 'm1', ['alice', 'bob']);
    await publish(pubsub, 'm2', ['bob']);
    await publish(pubsub, 'm3', ['alice']);
    await pubsub.publish(messageAdded.channel('c1'), { cursor: 'x', payload: { id: 42 } });
    await publish(pubsub, 'm4', ['alice']);

    const seen = [];
    for (let i = 0; i < 3; i++) seen.push(resolvers.resolve((await events.next()).value, { conversationId: 'c1' }, ctx, info));
    expect(seen).toEqual([
      { id: 'm1', conversationId: 'c1', to: ['alice', 'bob'], cursor: 'm1' },
      { id: 'm3', conversationId: 'c1', to: ['alice'], cursor: 'm3' },
      { id: 'm4', conversationId: 'c1', to: ['alice'], cursor: 'm4' },
    ]);
    await events.return!();
  });

  it('releases its channel on return(), and refuses to start (holding nothing) when keys throws', async () => {
    const pubsub = new MemoryPubSub(logger);
    const resolvers = field();
    const events = await resolvers.subscribe(undefined, { conversationId: 'c1' }, ctxFor(pubsub, 'alice'), info);
    expect(pubsub.channels()).toEqual([messageAdded.channel('c1')]);
    const pending = events.next();
    await events.return!();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(pubsub.channels()).toEqual([]);

    await expect(resolvers.subscribe(undefined, { conversationId: 'c1' }, ctxFor(pubsub, null), info)).rejects.toThrow(
      UnauthenticatedError,
    );
    expect(pubsub.channels()).toEqual([]);
  });

  it('ends a subscriber that falls behind with RATE_LIMITED, and releases its channel', async () => {
    const pubsub = new MemoryPubSub(logger);
    const events = await field(3).subscribe(undefined, { conversationId: 'c1' }, ctxFor(pubsub, 'alice'), info);
    for (let i = 0; i < 5; i++) await publish(pubsub, `m${i}`, ['alice']);
    await new Promise((r) => setImmediate(r));
    await expect(events.next()).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
    expect(pubsub.channels()).toEqual([]);
  });

  it('refuses to publish an event without a cursor or with a payload off the topic schema', async () => {
    const pubsub = new MemoryPubSub(logger);
    await expect(
      publishLiveEvent(pubsub, messageAdded, 'c1', { cursor: '', payload: { id: 'm', conversationId: 'c1', to: [] } }),
    ).rejects.toThrow(/cursor/);
    await expect(publishLiveEvent(pubsub, messageAdded, 'c1', { cursor: '1', payload: { id: 'm' } as never })).rejects.toThrow(/schema/);
  });
});

// The shapes graphql-codegen's typescript-resolvers generates for a Subscription field (see
// subgraphs/*/src/generated/graphql.ts): subscriptionField must fit them without casts.
type CodegenSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo,
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;
type CodegenResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo,
) => TResult | Promise<TResult>;
interface CodegenSubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: CodegenSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: CodegenResolveFn<TResult, any, TContext, TArgs>;
}
interface MessageRecord {
  id: string;
  conversationId: string;
  createdAt: Date;
}
const messageRecord = defineTopic(
  'test.messageRecord',
  z.object({ id: z.string(), conversationId: z.string(), createdAt: z.coerce.date() }),
);
export const typedForCodegen: CodegenSubscriptionResolverObject<
  MessageRecord,
  Record<PropertyKey, never>,
  Ctx,
  { conversationId: string }
> = subscriptionField({
  topic: messageRecord,
  pubsub: (ctx: Ctx) => ctx.pubsub,
  keys: ({ conversationId }: { conversationId: string }) => conversationId,
});
