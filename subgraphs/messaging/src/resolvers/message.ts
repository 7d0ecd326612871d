import { NotFoundError } from '@market/platform';
import type { MessageAttachmentResolvers, MessageConnectionResolvers, MessageResolvers } from '../generated/graphql';
import { encodeCursor } from '../domain';

/** A Message reaches a resolver only after the caller was allowed to see its conversation. */
export const Message: MessageResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.messageById.load(ref.id),
  conversation: async (message, _args, ctx) => {
    const conversation = await ctx.loaders.conversationById.load(message.conversationId);
    if (!conversation) throw new NotFoundError('Conversation', message.conversationId);
    return conversation;
  },
  sender: (message) => ({ id: message.senderId }),
  cursor: (message) => encodeCursor(message),
  // A deleted or removed message keeps no files.
  attachments: (message, _args, ctx) => (message.deletedAt || message.removedAt ? [] : ctx.loaders.attachmentsOf.load(message.id)),
};

export const MessageAttachment: MessageAttachmentResolvers = {
  url: (attachment, _args, ctx) => ctx.attachments.downloadUrl(attachment),
};

export const MessageConnection: MessageConnectionResolvers = {
  edges: (page) => page.messages.map((node) => ({ cursor: encodeCursor(node), node })),
  pageInfo: (page) => ({
    hasNextPage: page.hasNextPage,
    hasPreviousPage: page.hasPreviousPage,
    startCursor: page.messages[0] ? encodeCursor(page.messages[0]) : null,
    endCursor: page.messages.at(-1) ? encodeCursor(page.messages.at(-1)!) : null,
  }),
};
