import { subscriptionField, type LiveEvent } from '@market/platform';
import type { Context } from '../context';
import type { InstanceLogLineRecord, InstanceRecord } from '../domain';
import { instanceLogLineTopic, instanceStatusTopic } from '../live/topics';
import type { SubscriptionResolvers } from '../generated/graphql';
import { lineIdAfter, storedThenLive } from '../live/tail';
import { canSee } from '../rules/access';

type InstanceArgs = { instanceId: string; tail?: number | null };

/** Authorized once, when a subscription starts, exactly like the matching query (NOT_FOUND for someone else's instance). */
const watchedInstance = async ({ instanceId }: InstanceArgs, ctx: Context) => (await ctx.instances.find(ctx.identity, instanceId)).id;

const logLines = subscriptionField<InstanceLogLineRecord, InstanceArgs, Context>({
  topic: instanceLogLineTopic,
  pubsub: (ctx) => ctx.pubsub,
  keys: watchedInstance,
  // No per-line check: an instance's owner never changes, and the subscriber's role is fixed for
  // the subscription, so what `keys` allowed stays allowed (and a query per line would cost much).
});

const statusChanges = subscriptionField({
  topic: instanceStatusTopic,
  pubsub: (ctx: Context) => ctx.pubsub,
  keys: watchedInstance,
  authorize: (instance, ctx) => canSee(ctx.identity, instance),
  resolve: (event) => event.payload,
});

/** Status cursors are when the status began (ISO-8601 UTC, all the same length, so they sort as text). */
const statusAfter = (a: string, b: string): boolean => a > b;

export const Subscription: SubscriptionResolvers = {
  instanceLogs: {
    subscribe: async (parent, args, ctx, info) => {
      const tail = ctx.instances.parseTail(args.tail);
      // Subscribed before the stored tail is read: a line stored in between is not lost.
      const live = await logLines.subscribe(parent, args, ctx, info);
      try {
        const stored = await ctx.instances.latestLogLines(ctx.identity, args.instanceId, tail);
        const events: LiveEvent<InstanceLogLineRecord>[] = stored.map((line) => ({ cursor: line.id, payload: line }));
        return storedThenLive(events, live, lineIdAfter);
      } catch (err) {
        await live.return?.();
        throw err;
      }
    },
    resolve: (event: LiveEvent<InstanceLogLineRecord>) => event.payload,
  },
  instanceStatusChanged: {
    subscribe: async (parent, args, ctx, info) => {
      // Subscribed before the current status is read: a change in between is not lost, and one
      // already included in what was read (its cursor not after it) is not sent twice.
      const live = (await statusChanges.subscribe(parent, args, ctx, info)) as AsyncIterableIterator<LiveEvent<InstanceRecord>>;
      try {
        const current = await ctx.instances.find(ctx.identity, args.instanceId);
        return storedThenLive([{ cursor: current.statusChangedAt.toISOString(), payload: current }], live, statusAfter);
      } catch (err) {
        await live.return?.();
        throw err;
      }
    },
    resolve: (event: LiveEvent<InstanceRecord>) => event.payload,
  },
};
