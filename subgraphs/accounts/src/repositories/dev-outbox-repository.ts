import type { Db } from '../db';
import type { DevOutboxRecord } from '../domain';

const messageSelect = { id: true, channel: true, recipient: true, subject: true, body: true, createdAt: true } as const;

export class DevOutboxRepository {
  constructor(private readonly db: Db) {}

  async add(message: { channel: 'EMAIL'; recipient: string; subject: string; body: string }): Promise<void> {
    await this.db.devOutboxMessage.create({ data: message, select: { id: true } });
  }

  async listFor(recipient: string, limit: number): Promise<DevOutboxRecord[]> {
    return this.db.devOutboxMessage.findMany({
      where: { recipient },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
      select: messageSelect,
    });
  }
}
