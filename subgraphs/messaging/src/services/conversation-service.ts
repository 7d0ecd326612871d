import { z } from 'zod';
import { BadUserInputError, ForbiddenError, NotFoundError, type Identity, parseInput } from '@market/platform';
import {
  MAX_BODY,
  MAX_PAGE,
  MAX_PARTICIPANTS,
  MIN_PARTICIPANTS,
  isUuid,
  pairKey,
  type ConversationRecord,
  type MessageRecord,
  type ParticipantRecord,
  type Viewer,
} from '../domain';
import type { ConversationRepository } from '../repositories/conversation-repository';
import type { MessageRepository } from '../repositories/message-repository';
import { idSchema, pageSizeSchema} from './validation';

const bodySchema = z
  .string()
  .trim()
  .min(1, 'body must not be empty')
  .max(MAX_BODY, `body is at most ${MAX_BODY} characters`);

const startSchema = z.object({
  participantIds: z.array(idSchema('participant id')).max(100, 'participantIds lists at most 100 ids'),
  body: bodySchema.nullish(),
});

const sendSchema = z.object({ conversationId: idSchema('conversationId'), body: bodySchema });

const messagePageSchema = z.object({
  last: pageSizeSchema('last', MAX_PAGE),
  before: idSchema('before (a message id)').nullable(),
});

export interface MessagePage {
  last: number;
  before: string | null;
}

/** The rules of conversations: who takes part, who may read and write, how pages are cut. */
export class ConversationService {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
  ) {}

  /** Conversations the viewer may read (participants; admins read all); the others are left out. */
  async visibleByIds(viewer: Viewer | null, ids: readonly string[]): Promise<ConversationRecord[]> {
    if (!viewer) return [];
    return this.conversations.findByIds(ids.filter(isUuid), viewer.isAdmin ? null : viewer.userId);
  }

  /** Messages the viewer may read: those of conversations they may read. */
  async visibleMessagesByIds(viewer: Viewer | null, ids: readonly string[]): Promise<MessageRecord[]> {
    if (!viewer) return [];
    return this.messages.findByIds(ids.filter(isUuid), viewer.isAdmin ? null : viewer.userId);
  }

  /** Callers have already been allowed to see these conversations. */
  participantsOf(conversationIds: readonly string[]): Promise<ParticipantRecord[]> {
    return this.conversations.participantsOf(conversationIds);
  }

  /** Callers have already been allowed to see these users' conversations (self or admin). */
  conversationsOfUsers(userIds: readonly string[]): Promise<(ConversationRecord & { userId: string })[]> {
    return this.conversations.listForUsers(userIds.filter(isUuid));
  }

  /** Callers have already been allowed to see these conversations. */
  latestMessages(conversationIds: readonly string[], page: MessagePage): Promise<MessageRecord[]> {
    return this.messages.latestOf(conversationIds, page.last, page.before);
  }

  messagePage(args: { last?: number | null; before?: string | null }): MessagePage {
    return parseInput(messagePageSchema, { last: args.last ?? 50, before: args.before ?? null });
  }

  /**
   * Starts a conversation between the caller and the given users. Two people have at most one
   * conversation: starting it again returns it (with the new message, if any).
   */
  async start(identity: Identity, input: { participantIds: readonly string[]; body?: string | null }): Promise<ConversationRecord> {
    const data = parseInput(startSchema, input);
    const me = identity.userId.toLowerCase();
    const participantIds = [...new Set([me, ...data.participantIds])];
    if (participantIds.length < MIN_PARTICIPANTS || participantIds.length > MAX_PARTICIPANTS) {
      const problem = `a conversation has ${MIN_PARTICIPANTS} to ${MAX_PARTICIPANTS} distinct participants including you; this one would have ${participantIds.length}`;
      throw new BadUserInputError(problem, { participantIds: [problem] });
    }
    const body = data.body ?? null;
    const key = participantIds.length === 2 ? pairKey(participantIds[0] as string, participantIds[1] as string) : null;
    if (key) {
      const existing = await this.conversations.findByPairKey(key);
      if (existing) return this.continuePair(existing, me, body);
    }
    const outcome = await this.conversations.start({
      participantIds,
      pairKey: key,
      firstMessage: body ? { senderId: me, body } : null,
    });
    if (outcome.kind === 'started') return outcome.conversation;
    // Someone started the same pair's conversation a moment before us: theirs is the one.
    const winner = key ? await this.conversations.findByPairKey(key) : null;
    if (!winner) throw new NotFoundError('Conversation');
    return this.continuePair(winner, me, body);
  }

  async send(identity: Identity, input: { conversationId: string; body: string }): Promise<MessageRecord> {
    const data = parseInput(sendSchema, input);
    const outcome = await this.conversations.send(data.conversationId, identity.userId.toLowerCase(), data.body);
    switch (outcome.kind) {
      case 'sent':
        return outcome.message;
      case 'notFound':
        throw new NotFoundError('Conversation', data.conversationId);
      case 'notParticipant':
        throw new ForbiddenError('Only participants can write to this conversation.');
    }
  }

  private async continuePair(conversation: ConversationRecord, me: string, body: string | null): Promise<ConversationRecord> {
    if (!body) return conversation;
    const outcome = await this.conversations.send(conversation.id, me, body);
    if (outcome.kind !== 'sent') throw new ForbiddenError('Only participants can write to this conversation.');
    return { ...conversation, lastMessageAt: outcome.message.createdAt };
  }
}
