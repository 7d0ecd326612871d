import type { Db, Tx } from '../db';
import type { Prisma } from '../generated/prisma/client';
import { isUuid, type Role } from '@market/platform';
import { DELETED_USER_NAME, type UserCursor, type UserRecord, type UserStatus } from '../domain';
import { publishUserDeleted, publishUserRegistered, publishUserUpdated } from '../events/published';

const userSelect = {
  id: true,
  name: true,
  email: true,
  role: true,
  status: true,
  phone: true,
  avatarUrl: true,
  bio: true,
  emailVerifiedAt: true,
  createdAt: true,
} as const;

export type UserCredentials = UserRecord & { passwordHash: string };

/** Something no argon2 verification can ever match: the account's password is gone. */
const NO_PASSWORD = '!deleted';

/** `contains` for LIKE: the search text is matched literally, wildcards included. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export class UserRepository {
  constructor(private readonly db: Db) {}

  async findByIds(ids: readonly string[]): Promise<UserRecord[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    return this.db.user.findMany({ where: { id: { in: valid } }, select: userSelect });
  }

  async findById(id: string, tx: Tx | Db = this.db): Promise<UserRecord | null> {
    if (!isUuid(id)) return null;
    return tx.user.findUnique({ where: { id }, select: userSelect });
  }

  async findByEmail(email: string): Promise<UserRecord | null> {
    return this.db.user.findUnique({ where: { email }, select: userSelect });
  }

  async findCredentialsByEmail(email: string): Promise<UserCredentials | null> {
    return this.db.user.findUnique({ where: { email }, select: { ...userSelect, passwordHash: true } });
  }

  async findCredentialsById(id: string): Promise<UserCredentials | null> {
    return this.db.user.findUnique({ where: { id }, select: { ...userSelect, passwordHash: true } });
  }

  async emailExists(email: string): Promise<boolean> {
    return (await this.db.user.count({ where: { email } })) > 0;
  }

  /** Creates an unverified user. Returns null when the e-mail is taken (the unique index decides, not a prior read). */
  async create(input: { name: string; email: string; passwordHash: string; role: Role; phone: string | null }): Promise<UserRecord | null> {
    try {
      return await this.db.user.create({ data: input, select: userSelect });
    } catch (err) {
      if ((err as { code?: string }).code === 'P2002') return null;
      throw err;
    }
  }

  /**
   * Marks the address verified; the first time, other services learn about the user
   * (`accounts.user.registered`): an account nobody verified never leaves accounts.
   */
  async markEmailVerified(tx: Tx, userId: string): Promise<void> {
    const verified = await tx.user.updateMany({
      where: { id: userId, emailVerifiedAt: null },
      data: { emailVerifiedAt: new Date() },
    });
    if (verified.count === 0) return;
    const user = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { id: true, name: true, role: true, email: true } });
    await publishUserRegistered(tx, user);
  }

  async setPassword(tx: Tx, userId: string, passwordHash: string): Promise<void> {
    await tx.user.update({ where: { id: userId }, data: { passwordHash }, select: { id: true } });
  }

  /** Writes the changes with their `accounts.user.updated` event in one transaction. */
  async updateProfile(
    userId: string,
    changes: { name?: string; phone?: string | null; bio?: string | null; avatarUrl?: string | null },
  ): Promise<UserRecord> {
    return this.db.$transaction(async (tx) => {
      const updated = await tx.user.update({ where: { id: userId }, data: changes, select: userSelect });
      await publishUserUpdated(tx, userId, changes.name !== undefined ? { name: updated.name } : {});
      return updated;
    });
  }

  /** Changes the role of a user that is not deleted, with its `accounts.user.updated` event; null when there is none. */
  async setRole(userId: string, role: Role): Promise<UserRecord | null> {
    return this.db.$transaction(async (tx) => {
      const updated = await tx.user.updateMany({ where: { id: userId, status: { not: 'DELETED' } }, data: { role } });
      if (updated.count === 0) return null;
      await publishUserUpdated(tx, userId, { role });
      return this.findById(userId, tx);
    });
  }

  /** Changes the status of a user that is not deleted, with its `accounts.user.updated` event; false when there is none. */
  async setStatus(tx: Tx, userId: string, status: Exclude<UserStatus, 'DELETED'>): Promise<boolean> {
    const updated = await tx.user.updateMany({ where: { id: userId, status: { not: 'DELETED' } }, data: { status } });
    if (updated.count === 0) return false;
    await publishUserUpdated(tx, userId, { status });
    return true;
  }

  /** Users newest first, after the cursor, optionally only those whose name or e-mail contains `search`. */
  async page(search: string | null, after: UserCursor | null, limit: number): Promise<UserRecord[]> {
    const where: Prisma.UserWhereInput = { status: { not: 'DELETED' } };
    if (search) {
      const text = escapeLike(search);
      where.OR = [{ name: { contains: text, mode: 'insensitive' } }, { email: { contains: text, mode: 'insensitive' } }];
    }
    if (after) {
      where.AND = [{ OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] }];
    }
    return this.db.user.findMany({
      where,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
      select: userSelect,
    });
  }

  async followerCounts(ids: readonly string[]): Promise<{ userId: string; count: number }[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    const rows = await this.db.follow.groupBy({ by: ['followeeId'], where: { followeeId: { in: valid } }, _count: { _all: true } });
    return rows.map((r) => ({ userId: r.followeeId, count: r._count._all }));
  }

  /**
   * Erases the account's personal data in one transaction and tells other services
   * (`accounts.user.deleted`). The row stays, anonymized, so references from other services still
   * resolve (to "Deleted user"); its e-mail address is free for a new account.
   */
  async anonymize(userId: string): Promise<void> {
    await this.db.$transaction(async (tx) => {
      const { email } = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true } });
      await tx.user.update({
        where: { id: userId },
        data: {
          name: DELETED_USER_NAME,
          email: `deleted-${userId}@deleted.invalid`,
          passwordHash: NO_PASSWORD,
          phone: null,
          avatarUrl: null,
          bio: null,
          emailVerifiedAt: null,
          status: 'DELETED',
        },
        select: { id: true },
      });
      await tx.session.deleteMany({ where: { userId } });
      await tx.verificationCode.deleteMany({ where: { userId } });
      await tx.connection.deleteMany({ where: { OR: [{ requesterId: userId }, { addresseeId: userId }] } });
      await tx.follow.deleteMany({ where: { OR: [{ followerId: userId }, { followeeId: userId }] } });
      await tx.devOutboxMessage.deleteMany({ where: { recipient: email } });
      await publishUserDeleted(tx, userId);
    });
  }
}
