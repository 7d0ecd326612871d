import { requireRole, requireUser } from '@market/platform';
import type { MutationResolvers } from '../generated/graphql';

export const Mutation: MutationResolvers = {
  startConversation: async (_parent, { input }, ctx) => {
    const outcome = await ctx.conversations.start(requireUser(ctx), input);
    if (outcome.kind === 'conversation') return { __typename: 'Conversation', ...outcome.conversation };
    return unavailable(outcome.userIds);
  },
  sendMessage: (_parent, { conversationId, body, attachmentIds }, ctx) =>
    ctx.conversations.send(requireUser(ctx), { conversationId, body, attachmentIds }),
  createAttachmentUpload: async (_parent, input, ctx) => {
    const { attachment, url, method, headers, expiresAt } = await ctx.attachments.createUpload(requireUser(ctx), input);
    return { attachment, uploadUrl: url, method, headers, expiresAt };
  },
  leaveConversation: (_parent, { conversationId }, ctx) => ctx.conversations.leave(requireUser(ctx), conversationId),
  muteConversation: (_parent, { conversationId, muted, until }, ctx) =>
    ctx.conversations.mute(requireUser(ctx), conversationId, muted, until ?? null),
  addParticipants: async (_parent, { conversationId, userIds }, ctx) => {
    const outcome = await ctx.conversations.addParticipants(requireUser(ctx), conversationId, userIds);
    switch (outcome.kind) {
      case 'conversation':
        return { __typename: 'Conversation', ...outcome.conversation };
      case 'unavailable':
        return unavailable(outcome.userIds);
      case 'full':
        return { __typename: 'ConversationFull', limit: outcome.limit, message: `A group has at most ${outcome.limit} members.` };
    }
  },
  removeParticipant: (_parent, { conversationId, userId }, ctx) =>
    ctx.conversations.removeParticipant(requireUser(ctx), conversationId, userId),
  editMessage: async (_parent, { messageId, body }, ctx) => {
    const outcome = await ctx.conversations.edit(requireUser(ctx), messageId, body);
    if (outcome.kind === 'message') return { __typename: 'Message', ...outcome.message };
    return {
      __typename: 'MessageDeleted',
      messageId: outcome.message.id,
      message: 'This message was deleted; it can no longer be edited.',
    };
  },
  deleteMessage: (_parent, { messageId }, ctx) => ctx.conversations.delete(requireUser(ctx), messageId),
  markConversationRead: (_parent, { conversationId, upTo }, ctx) =>
    ctx.conversations.markRead(requireUser(ctx), conversationId, upTo ?? null),
  markNotificationRead: (_parent, { id }, ctx) => ctx.notifications.markRead(requireUser(ctx), id),
  markAllNotificationsRead: (_parent, _args, ctx) => ctx.notifications.markAllRead(requireUser(ctx)),
  sendNotification: async (_parent, { input }, ctx) => {
    const outcome = await ctx.broadcasts.send(requireRole(ctx, 'ADMIN'), input);
    if (outcome.kind === 'broadcast') return { __typename: 'Broadcast', ...outcome.broadcast };
    return {
      __typename: 'RecipientUnknown',
      userId: outcome.userId,
      message: 'No such user (or they deleted their account); nothing was sent.',
    };
  },
  blockUser: (_parent, { userId }, ctx) => ctx.inbox.block(requireUser(ctx), userId),
  unblockUser: (_parent, { userId }, ctx) => ctx.inbox.unblock(requireUser(ctx), userId),
  setNotificationPreference: (_parent, args, ctx) => ctx.channels.setPreference(requireUser(ctx), args),
  setQuietHours: async (_parent, { input }, ctx) => {
    const me = requireUser(ctx);
    return { ...(await ctx.channels.setQuietHours(me, input)), preferences: await ctx.channels.preferences(me) };
  },
  setPhoneNumber: async (_parent, { phone }, ctx) => {
    const outcome = await ctx.channels.setPhone(requireUser(ctx), phone);
    if (outcome.kind === 'codeSent') return { __typename: 'PhoneCodeSent', expiresAt: outcome.expiresAt };
    if (outcome.kind === 'rejected')
      return { __typename: 'PhoneNumberRejected', message: 'The SMS provider refused this number; check it, or use another.' };
    return {
      __typename: 'PhoneCodeTooSoon',
      retryAfterSeconds: outcome.retryAfterSeconds,
      message: `A code was just sent; ask again in ${outcome.retryAfterSeconds} s.`,
    };
  },
  verifyPhoneNumber: async (_parent, { code }, ctx) => {
    const outcome = await ctx.channels.verifyPhone(requireUser(ctx), code);
    switch (outcome.kind) {
      case 'verified':
        return { __typename: 'PhoneVerified', phone: outcome.phone };
      case 'wrongCode':
        return { __typename: 'WrongPhoneCode', attemptsLeft: outcome.attemptsLeft, message: 'That is not the code we sent.' };
      case 'expired':
        return { __typename: 'PhoneCodeExpired', message: 'No code is waiting for this number: ask for a new one.' };
    }
  },
  registerPushSubscription: (_parent, { input }, ctx) => ctx.channels.registerPush(requireUser(ctx), input),
  removePushSubscription: (_parent, { id }, ctx) => ctx.channels.removePush(requireUser(ctx), id),
  unsubscribe: (_parent, { token }, ctx) => ctx.channels.unsubscribe(token),
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

function unavailable(userIds: string[]) {
  return {
    __typename: 'ParticipantsUnavailable' as const,
    userIds,
    message: 'These users cannot be in a conversation with you: they do not exist, deleted their account, or one of you blocked the other.',
  };
}
