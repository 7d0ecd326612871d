import type { Db } from '../db';

export class SessionRepository {
  constructor(private readonly db: Db) {}

  async create(input: { userId: string; expiresAt: Date; ipAddress: string | null; userAgent: string | null }) {
    return this.db.session.create({ data: input, select: { id: true, expiresAt: true } });
  }
}
