import { requireUser } from '@market/platform';
import type { MutationResolvers } from '../generated/graphql';

export const Mutation: MutationResolvers = {
  startConversation: (_parent, { input }, ctx) => ctx.conversations.start(requireUser(ctx), input),
  sendMessage: (_parent, { conversationId, body }, ctx) => ctx.conversations.send(requireUser(ctx), { conversationId, body }),
  markNotificationRead: (_parent, { id }, ctx) => ctx.notifications.markRead(requireUser(ctx), id),
  setTyping: (_parent, { conversationId }, ctx) => ctx.typing.setTyping(requireUser(ctx), conversationId),
  watchListing: async (_parent, { listingId }, ctx) => {
    const outcome = await ctx.watches.watch(requireUser(ctx), listingId);
    switch (outcome.kind) {
      case 'watching':
        return { __typename: 'ListingWatch', ...outcome.watch };
      case 'limitReached':
        return {
          __typename: 'WatchLimitReached',
          limit: outcome.limit,
          message: `You already watch ${outcome.limit} listings, the most anyone may: stop watching one first.`,
        };
    }
  },
  unwatchListing: (_parent, { listingId }, ctx) => ctx.watches.unwatch(requireUser(ctx), listingId),
};
