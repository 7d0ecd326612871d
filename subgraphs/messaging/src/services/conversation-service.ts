import { z } from 'zod';
import { BadUserInputError, DataLoader, ForbiddenError, NotFoundError, type Identity, parseInput } from '@market/platform';
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
  type StreamPosition,
  type Viewer,
} from '../domain';
import type { ConversationRepository } from '../repositories/conversation-repository';
import type { MessageRepository } from '../repositories/message-repository';
import type { LiveUpdates } from './live-updates';
import type { WriteLimits } from './rate-limits';
import { cursorSchema, idSchema, pageSizeSchema } from './validation';

const bodySchema = z
  .string()
  .trim()
  .min(1, 'body must not be empty')
  .max(MAX_BODY, `body is at most ${MAX_BODY} characters`);

const startSchema = z.object({
  participantIds: z.array(idSchema('participant id')).max(100, 'participantIds lists at most 100 ids'),
  body: bodySchema.nullish(),
});

const conversationIdSchema = idSchema('conversationId');
const sendSchema = z.object({ conversationId: conversationIdSchema, body: bodySchema });

const backwardPageSchema = z.object({
  direction: z.literal('backward'),
  last: pageSizeSchema('last', MAX_PAGE),
  before: idSchema('before (a message id)').nullable(),
});

const forwardPageSchema = z.object({
  direction: z.literal('forward'),
  first: pageSizeSchema('first', MAX_PAGE),
  after: cursorSchema('after').nullable(),
});

/** One page of a conversation's messages: back in time from the newest, or forward after a cursor. */
export type MessagePage =
  | { direction: 'backward'; last: number; before: string | null }
  | { direction: 'forward'; first: number; after: StreamPosition | null };

/** How many (conversation, user) checks one participation query answers at most. */
const MAX_PARTICIPATION_BATCH = 500;

/** The rules of conversations: who takes part, who may read and write, how pages are cut. */
export class ConversationService {
  /**
   * Shared by every request and live subscriber of this process, and never cached: each check
   * reads the database, but the checks of one tick share one query (an event delivered to 2,000
   * subscribers costs one query, not 2,000).
   */
  private readonly participation: DataLoader<ParticipantRecord, boolean, string>;

  constructor(
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly live: LiveUpdates,
    private readonly limits: WriteLimits,
  ) {
    const keyOf = (p: ParticipantRecord) => `${p.conversationId}:${p.userId}`;
    this.participation = new DataLoader(
      async (pairs) => {
        // Many subscribers of one conversation are the same few people (several devices each).
        const distinct = [...new Map(pairs.map((p) => [keyOf(p), p])).values()];
        const found = new Set((await this.conversations.participations(distinct)).map(keyOf));
        return pairs.map((p) => found.has(keyOf(p)));
      },
      { cache: false, maxBatchSize: MAX_PARTICIPATION_BATCH, batchScheduleFn: (run) => setImmediate(run) },
    );
  }

  /** Whether this user takes part in the conversation now (false for anyone else, admins included). */
  async isParticipant(identity: Identity | null, conversationId: string): Promise<boolean> {
    if (!identity || !isUuid(identity.userId) || !isUuid(conversationId)) return false;
    return this.participation.load({ conversationId: conversationId.toLowerCase(), userId: identity.userId.toLowerCase() });
  }

  /**
   * Refuses anyone but a participant, like `sendMessage`: NOT_FOUND for an unknown conversation,
   * FORBIDDEN for one the caller does not take part in. Returns the conversation id, normalized.
   */
  async requireParticipant(identity: Identity, conversationId: string): Promise<string> {
    const id = parseInput(conversationIdSchema, conversationId);
    if (await this.isParticipant(identity, id)) return id;
    if (!(await this.conversations.exists(id))) throw new NotFoundError('Conversation', id);
    throw new ForbiddenError('Only participants can follow this conversation.');
  }

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
    return page.direction === 'forward'
      ? this.messages.after(conversationIds, page.first, page.after)
      : this.messages.latestOf(conversationIds, page.last, page.before);
  }

  messagePage(args: { last?: number | null; before?: string | null; first?: number | null; after?: string | null }): MessagePage {
    const forward = args.first != null || args.after != null;
    if (forward && (args.last != null || args.before != null)) {
      const problem = 'page forward (first, after) or back (last, before), not both';
      throw new BadUserInputError(problem, { input: [problem] });
    }
    return forward
      ? parseInput(forwardPageSchema, { direction: 'forward', first: args.first ?? 50, after: args.after ?? null })
      : parseInput(backwardPageSchema, { direction: 'backward', last: args.last ?? 50, before: args.before ?? null });
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
    await this.limits.count('startConversation', me);
    const [deleted] = await this.conversations.deletedUsersAmong(participantIds.filter((id) => id !== me));
    if (deleted) throw new NotFoundError('User', deleted);
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
    if (outcome.kind === 'started') {
      if (outcome.message) await this.live.messageAdded(outcome.message);
      return outcome.conversation;
    }
    // Someone started the same pair's conversation a moment before us: theirs is the one.
    const winner = key ? await this.conversations.findByPairKey(key) : null;
    if (!winner) throw new NotFoundError('Conversation');
    return this.continuePair(winner, me, body);
  }

  async send(identity: Identity, input: { conversationId: string; body: string }): Promise<MessageRecord> {
    const data = parseInput(sendSchema, input);
    await this.limits.count('sendMessage', identity.userId);
    const outcome = await this.conversations.send(data.conversationId, identity.userId.toLowerCase(), data.body);
    switch (outcome.kind) {
      case 'sent':
        // Committed: now subscribers may hear of it (and the catch-up query already sees it).
        await this.live.messageAdded(outcome.message);
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
    await this.live.messageAdded(outcome.message);
    return { ...conversation, lastMessageAt: outcome.message.createdAt };
  }
}
