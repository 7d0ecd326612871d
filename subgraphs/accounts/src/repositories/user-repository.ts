import { enqueueEvent, type Role } from '@market/platform';
import type { Db } from '../db';
import type { UserRecord } from '../domain';

const userSelect = {
  id: true,
  name: true,
  email: true,
  role: true,
  status: true,
  phone: true,
  avatarUrl: true,
  createdAt: true,
} as const;

export class UserRepository {
  constructor(private readonly db: Db) {}

  async findByIds(ids: readonly string[]): Promise<UserRecord[]> {
    return this.db.user.findMany({ where: { id: { in: [...ids] } }, select: userSelect });
  }

  async findCredentialsByEmail(email: string): Promise<(UserRecord & { passwordHash: string }) | null> {
    return this.db.user.findUnique({ where: { email }, select: { ...userSelect, passwordHash: true } });
  }

  /**
   * Creates the user and its `accounts.user.registered` event in one transaction. Returns null when
   * the e-mail is taken (the unique index decides, not a prior read).
   */
  async create(input: {
    name: string;
    email: string;
    passwordHash: string;
    role: Role;
    phone: string | null;
  }): Promise<UserRecord | null> {
    try {
      return await this.db.$transaction(async (tx) => {
        const user = await tx.user.create({ data: input, select: userSelect });
        await enqueueEvent(tx, 'accounts.user.registered', user.id, { userId: user.id, name: user.name, role: user.role });
        return user;
      });
    } catch (err) {
      if ((err as { code?: string }).code === 'P2002') return null;
      throw err;
    }
  }
}
