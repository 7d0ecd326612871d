import type { ConversationResolvers } from '../generated/graphql';

/** A Conversation reaches a resolver only after the caller was allowed to see it. */
export const Conversation: ConversationResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.conversationById.load(ref.id),
  participants: async (conversation, _args, ctx) =>
    (await ctx.loaders.participantsOf.load(conversation.id)).map((p) => ({ id: p.userId })),
  messages: (conversation, args, ctx) =>
    ctx.loaders.messagePages.load({ parentId: conversation.id, args: ctx.conversations.messagePage(args) }),
};
