import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { BadUserInputError, ForbiddenError, NotFoundError, type Identity, type ObjectStorage, parseInput } from '@market/platform';
import type { AttachmentRecord } from '../domain';
import type { AttachmentRepository } from '../repositories/attachment-repository';
import type { ConversationRepository } from '../repositories/conversation-repository';
import type { WriteLimits } from './rate-limits';
import { idSchema } from './validation';

/** What can be attached, by content type, with the extension the stored file gets. */
export const ATTACHMENT_TYPES: Readonly<Record<string, string>> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
};
/** Files one message may carry. */
export const MAX_ATTACHMENTS = 10;
const UPLOAD_URL_TTL_SECONDS = 15 * 60;
const DOWNLOAD_URL_TTL_SECONDS = 5 * 60;

export interface AttachmentUpload {
  attachment: AttachmentRecord;
  url: string;
  method: 'PUT';
  headers: { name: string; value: string }[];
  expiresAt: Date;
}

/**
 * Files sent with messages: a member asks for an upload URL (type and size checked, counted like a
 * message), PUTs the bytes straight to the store, then names the attachment in `sendMessage`. Only
 * members read them, through short-lived download URLs (Message is only resolved for members): the
 * store is private (its own S3 bucket, or the local store with `access: 'private'`).
 */
export class AttachmentService {
  constructor(
    private readonly repository: AttachmentRepository,
    private readonly conversations: ConversationRepository,
    private readonly store: ObjectStorage,
    private readonly limits: WriteLimits,
    private readonly maxBytes: number,
  ) {}

  async createUpload(
    identity: Identity,
    input: { conversationId: string; fileName: string; contentType: string; size: number },
  ): Promise<AttachmentUpload> {
    const data = parseInput(
      z.object({
        conversationId: idSchema('conversationId'),
        fileName: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
        contentType: z.string().refine((t) => t in ATTACHMENT_TYPES, `must be one of ${Object.keys(ATTACHMENT_TYPES).join(', ')}`),
        size: z.number().int().min(1, 'must be at least 1 byte').max(this.maxBytes, `must be at most ${this.maxBytes} bytes`),
      }),
      input,
    );
    const me = identity.userId.toLowerCase();
    const membership = await this.conversations.membership(data.conversationId, me);
    if (!membership || membership.leftAt) {
      if (!membership && !(await this.conversations.findById(data.conversationId)))
        throw new NotFoundError('Conversation', data.conversationId);
      throw new ForbiddenError('Only participants can attach files to this conversation.');
    }
    await this.limits.count('sendMessage', me);
    const id = randomUUID();
    const storageKey = `${data.conversationId}/${id}.${ATTACHMENT_TYPES[data.contentType]}`;
    const attachment = await this.repository.create({
      id,
      conversationId: data.conversationId,
      uploaderId: me,
      storageKey,
      fileName: data.fileName,
      contentType: data.contentType,
      size: data.size,
    });
    const upload = await this.store.presignPut({
      key: storageKey,
      contentType: data.contentType,
      size: data.size,
      expiresInSeconds: UPLOAD_URL_TTL_SECONDS,
    });
    return {
      attachment,
      url: upload.url,
      method: upload.method,
      headers: Object.entries(upload.headers).map(([name, value]) => ({ name, value })),
      expiresAt: upload.expiresAt,
    };
  }

  /**
   * The attachment ids a message may carry: the caller's own uploads into this conversation, not
   * sent yet, whose bytes arrived. Anything else is BAD_USER_INPUT and nothing is sent.
   */
  async sendable(identity: Identity, conversationId: string, attachmentIds: readonly string[]): Promise<string[]> {
    if (attachmentIds.length === 0) return [];
    const ids = [
      ...new Set(
        parseInput(z.array(idSchema('attachment id')).max(MAX_ATTACHMENTS, `at most ${MAX_ATTACHMENTS} files`), [...attachmentIds]),
      ),
    ];
    const found = await this.repository.unsent(ids, conversationId.toLowerCase(), identity.userId.toLowerCase());
    const missing = ids.filter((id) => !found.some((a) => a.id === id));
    if (missing.length > 0)
      throw new BadUserInputError('These attachments cannot be sent here.', {
        attachmentIds: missing.map((id) => `${id} is not an unsent upload of yours to this conversation`),
      });
    const notUploaded = [];
    for (const a of found) if (!(await this.store.exists(a.storageKey))) notUploaded.push(a.id);
    if (notUploaded.length > 0)
      throw new BadUserInputError('Upload the files before sending them.', {
        attachmentIds: notUploaded.map((id) => `${id} was not uploaded yet`),
      });
    return ids;
  }

  downloadUrl(attachment: AttachmentRecord): Promise<string> {
    return this.store.presignGet(attachment.storageKey, DOWNLOAD_URL_TTL_SECONDS);
  }

  byMessageIds(messageIds: readonly string[]): Promise<Map<string, AttachmentRecord[]>> {
    return this.repository.byMessageIds(messageIds);
  }
}
