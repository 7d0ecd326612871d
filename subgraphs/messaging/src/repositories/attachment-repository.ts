import type { Db } from '../db';
import type { AttachmentRecord } from '../domain';

const attachmentSelect = {
  id: true,
  conversationId: true,
  uploaderId: true,
  messageId: true,
  storageKey: true,
  fileName: true,
  contentType: true,
  size: true,
  createdAt: true,
} as const;

export class AttachmentRepository {
  constructor(private readonly db: Db) {}

  async create(input: Omit<AttachmentRecord, 'messageId' | 'createdAt'>): Promise<AttachmentRecord> {
    return this.db.messageAttachment.create({ data: input, select: attachmentSelect });
  }

  /** Of these, the ones this user uploaded into this conversation and has not sent yet. */
  async unsent(ids: readonly string[], conversationId: string, uploaderId: string): Promise<AttachmentRecord[]> {
    return this.db.messageAttachment.findMany({
      where: { id: { in: [...ids] }, conversationId, uploaderId, messageId: null },
      select: attachmentSelect,
    });
  }

  /** The attachments of each message, oldest upload first (one query for a page of messages). */
  async byMessageIds(messageIds: readonly string[]): Promise<Map<string, AttachmentRecord[]>> {
    const rows = await this.db.messageAttachment.findMany({
      where: { messageId: { in: [...messageIds] } },
      select: attachmentSelect,
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    const out = new Map<string, AttachmentRecord[]>();
    for (const row of rows) out.set(row.messageId!, [...(out.get(row.messageId!) ?? []), row]);
    return out;
  }
}
