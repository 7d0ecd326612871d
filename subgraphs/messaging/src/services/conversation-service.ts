import { z } from 'zod';
import { BadUserInputError, DataLoader, ForbiddenError, NotFoundError, type Identity, parseInput } from '@market/platform';
import {
  CONTEXT_KINDS,
  MAX_BODY,
  MAX_PAGE,
  MAX_PARTICIPANTS,
  MAX_SEARCH_RESULTS,
  MAX_TITLE,
  MIN_PARTICIPANTS,
  decodeCursor,
  isUuid,
  pairKey,
  type ConversationRecord,
  type InboxUpdateRecord,
  type MessageConnectionRecord,
  type MessageRecord,
  type ParticipantRecord,
  type ReadReceiptRecord,
  type StreamPosition,
  type Viewer,
} from '../domain';
import type { ConversationRepository } from '../repositories/conversation-repository';
import type { ChangeOutcome, MessageRepository } from '../repositories/message-repository';
import type { LiveUpdates } from './live-updates';
import type { WriteLimits } from './rate-limits';
import type { AttachmentService } from './attachment-service';
import { cursorSchema, idSchema, pageSizeSchema } from './validation';

const bodySchema = z.string().trim().min(1, 'body must not be empty').max(MAX_BODY, `body is at most ${MAX_BODY} characters`);

const startSchema = z.object({
  participantIds: z.array(idSchema('participant id')).max(100, 'participantIds lists at most 100 ids'),
  body: bodySchema.nullish(),
  title: z.string().trim().min(1, 'title must not be empty').max(MAX_TITLE, `title is at most ${MAX_TITLE} characters`).nullish(),
  context: z.object({ kind: z.enum(CONTEXT_KINDS), id: idSchema('context id') }).nullish(),
});

/** "Muted" without an end: far enough to never come. */
const FOREVER = new Date('9999-12-31T00:00:00.000Z');

export type StartResult = { kind: 'conversation'; conversation: ConversationRecord } | { kind: 'unavailable'; userIds: string[] };
export type AddResult = StartResult | { kind: 'full'; limit: number };
export type EditResult = { kind: 'message'; message: MessageRecord } | { kind: 'deleted'; message: MessageRecord };

const conversationIdSchema = idSchema('conversationId');
const sendSchema = z.object({ conversationId: conversationIdSchema, body: bodySchema });

/** `before`: a `Message.cursor`, or (as it always was) a message id of the conversation. */
const beforeSchema = z.string().transform((value, ctx): StreamPosition | { id: string } => {
  const position = decodeCursor(value);
  if (position) return position;
  const id = value.trim().toLowerCase();
  if (isUuid(id)) return { id };
  ctx.addIssue({ code: 'custom', message: 'before is not a message cursor or id' });
  return z.NEVER;
});

const backwardPageSchema = z.object({
  direction: z.literal('backward'),
  last: pageSizeSchema('last', MAX_PAGE),
  before: beforeSchema.nullable(),
});

const forwardPageSchema = z.object({
  direction: z.literal('forward'),
  first: pageSizeSchema('first', MAX_PAGE),
  after: cursorSchema('after').nullable(),
});

/** One page of a conversation's messages: back in time from the newest, or forward after a cursor. */
export type MessagePage =
  | { direction: 'backward'; last: number; before: StreamPosition | { id: string } | null }
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
    /** Checks the files a message names (null: messages carry none, as in unit tests). */
    private readonly attachments: Pick<AttachmentService, 'sendable'> | null = null,
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

  /** Callers have already been allowed to see these conversations; messages of users the viewer blocked are left out. */
  latestMessages(viewer: Viewer | null, conversationIds: readonly string[], page: MessagePage): Promise<MessageRecord[]> {
    const viewerId = viewer?.userId ?? null;
    return page.direction === 'forward'
      ? this.messages.after(conversationIds, page.first, page.after, viewerId)
      : this.messages.latestOf(conversationIds, page.last, page.before, viewerId);
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
   * direct conversation per context: starting it again returns it (with the new message, if any),
   * and whoever of the two had left it is back in. Users who cannot be in a conversation with the
   * caller (unknown, deleted, blocked either way) are an expected outcome: nothing is created.
   */
  async start(
    identity: Identity,
    input: {
      participantIds: readonly string[];
      body?: string | null;
      title?: string | null;
      context?: { kind: string; id: string } | null;
    },
  ): Promise<StartResult> {
    const data = parseInput(startSchema, input);
    const me = identity.userId.toLowerCase();
    const participantIds = [...new Set([me, ...data.participantIds])];
    if (participantIds.length < MIN_PARTICIPANTS || participantIds.length > MAX_PARTICIPANTS) {
      const problem = `a conversation has ${MIN_PARTICIPANTS} to ${MAX_PARTICIPANTS} distinct participants including you; this one would have ${participantIds.length}`;
      throw new BadUserInputError(problem, { participantIds: [problem] });
    }
    await this.limits.count('startConversation', me);
    const unavailable = await this.conversations.unavailableAmong(
      me,
      participantIds.filter((id) => id !== me),
    );
    if (unavailable.length > 0) return { kind: 'unavailable', userIds: unavailable };
    const body = data.body ?? null;
    const title = data.title ?? null;
    const context = data.context ?? null;
    const isGroup = title !== null || participantIds.length > 2;
    const key = isGroup ? null : pairKey(participantIds[0] as string, participantIds[1] as string, context);
    if (key) {
      const existing = await this.conversations.findByPairKey(key);
      if (existing) return { kind: 'conversation', conversation: await this.continuePair(existing, participantIds, me, body) };
    }
    const outcome = await this.conversations.start({
      participantIds,
      pairKey: key,
      creatorId: me,
      title,
      isGroup,
      context,
      firstMessage: body ? { senderId: me, body } : null,
    });
    if (outcome.kind === 'started') {
      if (outcome.message) await this.live.messageAdded(outcome.message, await this.snapshot(outcome.inbox, outcome.message));
      return { kind: 'conversation', conversation: outcome.conversation };
    }
    // Someone started the same pair's conversation a moment before us: theirs is the one.
    const winner = key ? await this.conversations.findByPairKey(key) : null;
    if (!winner) throw new NotFoundError('Conversation');
    return { kind: 'conversation', conversation: await this.continuePair(winner, participantIds, me, body) };
  }

  async send(
    identity: Identity,
    input: { conversationId: string; body: string; attachmentIds?: readonly string[] | null },
  ): Promise<MessageRecord> {
    const data = parseInput(sendSchema, { conversationId: input.conversationId, body: input.body });
    await this.limits.count('sendMessage', identity.userId);
    const attachmentIds =
      input.attachmentIds?.length && this.attachments
        ? await this.attachments.sendable(identity, data.conversationId, input.attachmentIds)
        : [];
    const outcome = await this.conversations.send(data.conversationId, identity.userId.toLowerCase(), data.body, attachmentIds);
    switch (outcome.kind) {
      case 'sent':
        // Committed: now subscribers may hear of it (and the catch-up query already sees it).
        await this.live.messageAdded(outcome.message, await this.snapshot(outcome.inbox, outcome.message));
        return outcome.message;
      case 'notFound':
        throw new NotFoundError('Conversation', data.conversationId);
      case 'notParticipant':
        throw new ForbiddenError('Only participants can write to this conversation.');
      case 'attachmentsTaken':
        throw new BadUserInputError('These attachments were sent with another message meanwhile.', {
          attachmentIds: ['were sent already'],
        });
    }
  }

  /** The caller leaves; true once they are not a member. NOT_FOUND for a conversation they cannot see. */
  async leave(identity: Identity, conversationId: string): Promise<boolean> {
    const id = parseInput(conversationIdSchema, conversationId);
    const me = identity.userId.toLowerCase();
    const membership = await this.conversations.membership(id, me);
    if (!membership) throw new NotFoundError('Conversation', id);
    await this.conversations.leave(id, me);
    return true;
  }

  async mute(
    identity: Identity,
    conversationId: string,
    muted: boolean,
    until: Date | null,
    now = new Date(),
  ): Promise<ConversationRecord> {
    const id = await this.requireParticipant(identity, conversationId);
    if (muted && until && until <= now) {
      const problem = 'until must be in the future';
      throw new BadUserInputError(problem, { until: [problem] });
    }
    await this.conversations.mute(id, identity.userId.toLowerCase(), muted ? (until ?? FOREVER) : null);
    return this.requireConversation(id);
  }

  /** The creator of a group adds members (those who left come back); other outcomes are typed. */
  async addParticipants(identity: Identity, conversationId: string, userIds: readonly string[]): Promise<AddResult> {
    const id = await this.requireParticipant(identity, conversationId);
    const ids = parseInput(z.array(idSchema('user id')).min(1, 'name at least one user').max(MAX_PARTICIPANTS), [...userIds]);
    const conversation = await this.requireCreatorOfGroup(identity, id);
    const me = identity.userId.toLowerCase();
    const unavailable = await this.conversations.unavailableAmong(
      me,
      [...new Set(ids)].filter((u) => u !== me),
    );
    if (unavailable.length > 0) return { kind: 'unavailable', userIds: unavailable };
    if (!(await this.conversations.addMembers(id, [...new Set(ids)], MAX_PARTICIPANTS))) return { kind: 'full', limit: MAX_PARTICIPANTS };
    return { kind: 'conversation', conversation };
  }

  /** The creator of a group removes a member; true once they are not a member. */
  async removeParticipant(identity: Identity, conversationId: string, userId: string): Promise<boolean> {
    const id = await this.requireParticipant(identity, conversationId);
    const target = parseInput(idSchema('userId'), userId);
    await this.requireCreatorOfGroup(identity, id);
    if (target === identity.userId.toLowerCase()) {
      const problem = 'to leave your own group, use leaveConversation';
      throw new BadUserInputError(problem, { userId: [problem] });
    }
    await this.conversations.leave(id, target);
    return true;
  }

  /** Edits the caller's own message; a deleted one is an expected outcome. */
  async edit(identity: Identity, messageId: string, body: string): Promise<EditResult> {
    const data = parseInput(z.object({ messageId: idSchema('messageId'), body: bodySchema }), { messageId, body });
    await this.limits.count('sendMessage', identity.userId);
    const outcome = await this.messages.edit(data.messageId, identity.userId.toLowerCase(), data.body);
    return this.changed(outcome, data.messageId);
  }

  /** Deletes the caller's own message (a tombstone stays); again: unchanged. */
  async delete(identity: Identity, messageId: string): Promise<MessageRecord> {
    const id = parseInput(idSchema('messageId'), messageId);
    const outcome = await this.changed(await this.messages.delete(id, identity.userId.toLowerCase()), id);
    if (outcome.kind !== 'message') throw new Error('a deletion cannot be refused as deleted');
    return outcome.message;
  }

  /**
   * Moves the caller's read marker up to `upTo` (a cursor or message id; the newest message without
   * it), tells the members (READ on their inbox streams) and marks the conversation's MESSAGE
   * notification read.
   */
  async markRead(identity: Identity, conversationId: string, upTo: string | null): Promise<ConversationRecord> {
    const id = await this.requireParticipant(identity, conversationId);
    const target = upTo === null ? null : { id: this.messageIdOf(upTo, 'upTo') };
    const outcome = await this.conversations.markRead(id, identity.userId.toLowerCase(), target);
    if (!outcome) throw new NotFoundError('Message', upTo ?? undefined);
    await this.live.inbox(await this.snapshot(outcome.inbox, null));
    return this.requireConversation(id);
  }

  /** Messages of the conversation matching `query` (the caller already may see the conversation). */
  search(viewer: Viewer, conversationId: string, query: string, first: number): Promise<MessageRecord[]> {
    const data = parseInput(
      z.object({
        query: z.string().trim().min(1, 'query must not be empty').max(200, 'query is at most 200 characters'),
        first: pageSizeSchema('first', MAX_SEARCH_RESULTS),
      }),
      { query, first },
    );
    return this.messages.search(conversationId, data.query, data.first, viewer.userId);
  }

  /**
   * One Relay-style page of a conversation (the caller already may see it): `first` after `after`,
   * or `last` before `before`; one extra row tells whether more follow.
   */
  async connection(
    viewer: Viewer,
    conversationId: string,
    args: { first?: number | null; after?: string | null; last?: number | null; before?: string | null },
  ): Promise<MessageConnectionRecord> {
    const page = this.messagePage(args);
    const viewerId = viewer.userId;
    if (page.direction === 'forward') {
      const rows = await this.messages.after([conversationId], page.first + 1, page.after, viewerId);
      const messages = rows.slice(0, page.first);
      const hasPreviousPage = page.after ? await this.messages.hasBeyond(conversationId, page.after, 'before', viewerId) : false;
      return { messages, hasNextPage: rows.length > page.first, hasPreviousPage };
    }
    const rows = await this.messages.latestOf([conversationId], page.last + 1, page.before, viewerId);
    const messages = rows.slice(Math.max(0, rows.length - page.last));
    const before = page.before && 'createdAt' in page.before ? page.before : null;
    const hasNextPage = before ? await this.messages.hasBeyond(conversationId, before, 'after', viewerId) : false;
    return { messages, hasNextPage, hasPreviousPage: rows.length > page.last };
  }

  /** Callers have already been allowed to see these conversations. */
  readReceipts(conversationIds: readonly string[]): Promise<ReadReceiptRecord[]> {
    return this.conversations.readReceipts(conversationIds);
  }

  unreadCounts(pairs: readonly ParticipantRecord[]) {
    return this.conversations.unreadCounts(pairs.filter((p) => isUuid(p.conversationId) && isUuid(p.userId)));
  }

  totalUnread(userIds: readonly string[]) {
    return this.conversations.totalUnread(userIds.filter(isUuid), new Date());
  }

  mutedAmong(pairs: readonly ParticipantRecord[]) {
    return this.conversations.mutedAmong(pairs, new Date());
  }

  private async changed(outcome: ChangeOutcome, messageId: string): Promise<EditResult> {
    switch (outcome.kind) {
      case 'changed':
        await this.live.inbox(await this.snapshot(outcome.inbox, outcome.message));
        return { kind: 'message', message: outcome.message };
      case 'unchanged':
        return { kind: 'message', message: outcome.message };
      case 'deleted':
        return { kind: 'deleted', message: outcome.message };
      case 'notFound':
        throw new NotFoundError('Message', messageId);
      case 'notSender':
        throw new ForbiddenError('Only its sender can change a message.');
    }
  }

  /**
   * The members' counts after a change, with the message, for the live events: two queries per
   * change whatever the number of members (each subscriber would otherwise query its own). A
   * failure only leaves the counts to be resolved per subscriber.
   */
  private async snapshot(updates: InboxUpdateRecord[], message: MessageRecord | null): Promise<InboxUpdateRecord[]> {
    if (updates.length === 0) return updates;
    try {
      const [unread, totals] = await Promise.all([
        this.conversations.unreadCounts(updates.map((u) => ({ conversationId: u.conversationId, userId: u.userId }))),
        this.conversations.totalUnread(
          updates.map((u) => u.userId),
          new Date(),
        ),
      ]);
      const unreadOf = new Map(unread.map((c) => [c.userId, c.count]));
      const totalOf = new Map(totals.map((c) => [c.userId, c.count]));
      return updates.map((u) => ({
        ...u,
        ...(u.kind !== 'READ' && message ? { message } : {}),
        unreadCount: unreadOf.get(u.userId) ?? 0,
        totalUnread: totalOf.get(u.userId) ?? 0,
      }));
    } catch {
      return updates;
    }
  }

  /** A message id from a `Message.cursor` or an id. */
  private messageIdOf(value: string, field: string): string {
    const position = decodeCursor(value);
    if (position) return position.id;
    return parseInput(idSchema(field), value);
  }

  private async requireConversation(id: string): Promise<ConversationRecord> {
    const conversation = await this.conversations.findById(id);
    if (!conversation) throw new NotFoundError('Conversation', id);
    return conversation;
  }

  private async requireCreatorOfGroup(identity: Identity, conversationId: string): Promise<ConversationRecord> {
    const conversation = await this.requireConversation(conversationId);
    if (!conversation.isGroup) {
      const problem = 'members are added and removed in groups only; start a new conversation instead';
      throw new BadUserInputError(problem, { conversationId: [problem] });
    }
    if (conversation.creatorId !== identity.userId.toLowerCase())
      throw new ForbiddenError('Only the creator of a group adds and removes members.');
    return conversation;
  }

  private async continuePair(
    conversation: ConversationRecord,
    pair: readonly string[],
    me: string,
    body: string | null,
  ): Promise<ConversationRecord> {
    // Starting it again brings back whichever of the two had left it.
    await this.conversations.addMembers(conversation.id, pair, 2);
    if (!body) return conversation;
    const outcome = await this.conversations.send(conversation.id, me, body);
    if (outcome.kind !== 'sent') throw new ForbiddenError('Only participants can write to this conversation.');
    await this.live.messageAdded(outcome.message, await this.snapshot(outcome.inbox, outcome.message));
    return { ...conversation, lastMessageAt: outcome.message.createdAt };
  }
}
