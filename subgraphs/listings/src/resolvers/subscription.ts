import { subscriptionField } from '@market/platform';
import type { SubscriptionResolvers } from '../generated/graphql';
import type { Context } from '../context';
import { DELETED_STATUS } from '../domain';
import { listingUpdatedTopic } from '../live/topics';
import { endWithDeletion } from '../services/live-updates';

/**
 * Live fields. `keys` runs once, when a subscription starts, and refuses like `listing(id)` would
 * (NOT_FOUND for a listing the caller cannot see); `authorize` runs for every event and subscriber,
 * because a listing can turn DRAFT or ARCHIVED during a long subscription. The DELETED event passes
 * `authorize` for everyone and `endWithDeletion` decides who sees it; every subscription ends there.
 */
const listingUpdated = subscriptionField({
  topic: listingUpdatedTopic,
  pubsub: (ctx: Context) => ctx.pubsub,
  keys: ({ listingId }: { listingId: string }, ctx) => ctx.listings.watchable(ctx, listingId),
  authorize: (listing, ctx) => listing.status === DELETED_STATUS || ctx.listings.mayReceive(ctx, listing),
});

export const Subscription: SubscriptionResolvers = {
  listingUpdated: {
    subscribe: async (parent: unknown, args: { listingId: string }, ctx: Context, info) =>
      endWithDeletion(await listingUpdated.subscribe(parent, args, ctx, info), (event) => ctx.listings.mayReceive(ctx, event.payload)),
    resolve: listingUpdated.resolve,
  },
};
