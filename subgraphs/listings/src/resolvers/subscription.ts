import { subscriptionField } from '@market/platform';
import type { SubscriptionResolvers } from '../generated/graphql';
import type { Context } from '../context';
import { listingUpdatedTopic } from '../events';

/**
 * Live fields. `keys` runs once, when a subscription starts, and refuses like `listing(id)` would
 * (NOT_FOUND for a listing the caller cannot see); `authorize` runs for every event and subscriber,
 * because a listing can turn DRAFT or ARCHIVED during a long subscription.
 */
export const Subscription: SubscriptionResolvers = {
  listingUpdated: subscriptionField({
    topic: listingUpdatedTopic,
    pubsub: (ctx: Context) => ctx.pubsub,
    keys: ({ listingId }: { listingId: string }, ctx) => ctx.listings.watchable(ctx, listingId),
    authorize: (listing, ctx) => ctx.listings.mayReceive(ctx, listing),
  }),
};
