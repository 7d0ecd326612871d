import {
  BadUserInputError,
  decodePosition,
  encodePosition,
  ForbiddenError,
  NotFoundError,
  ROLES,
  type AuthContext,
  type Role,
} from '@market/platform';
import type { UserPage, UserRecord } from '../domain';
import type { UserRepository } from '../repositories/user-repository';
import type { UserProfileCache } from '../repositories/user-profile-cache';
import type { SessionRepository } from '../repositories/session-repository';
import type { SessionGuard } from './session-guard';
import type { Revocations } from './revocations';
import type { Transaction } from './auth-service';

export const MAX_PAGE_SIZE = 100;

/**
 * What only admins do. Every operation checks the caller's role in the database (not only in the
 * token), and no admin changes their own role or status: nobody raises, or locks out, themselves.
 */
export class AdminService {
  constructor(
    private readonly deps: {
      users: UserRepository;
      profileCache: UserProfileCache;
      sessions: SessionRepository;
      guard: SessionGuard;
      transaction: Transaction;
      revocations: Revocations;
    },
  ) {}

  async users(ctx: AuthContext, args: { first?: number | null; after?: string | null; search?: string | null }): Promise<UserPage> {
    await this.deps.guard.admin(ctx);
    const first = args.first ?? 20;
    if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
      throw new BadUserInputError(`first must be between 0 and ${MAX_PAGE_SIZE}.`, { first: [`must be between 0 and ${MAX_PAGE_SIZE}`] });
    }
    const search = args.search?.trim() || null;
    if (search && search.length > 254) throw new BadUserInputError('search is at most 254 characters.', { search: ['is too long'] });
    const after = args.after ? decodePosition(args.after) : null;
    const rows = await this.deps.users.page(search, after, first + 1);
    const edges = rows.slice(0, first).map((node) => ({ cursor: encodePosition(node), node }));
    return {
      edges,
      pageInfo: {
        hasNextPage: rows.length > first,
        hasPreviousPage: after !== null,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
    };
  }

  async setRole(ctx: AuthContext, userId: string, role: Role): Promise<UserRecord> {
    const admin = await this.deps.guard.admin(ctx);
    if (!ROLES.includes(role)) throw new BadUserInputError('Unknown role.', { role: ['is not a role'] });
    if (userId === admin.userId) throw new ForbiddenError('Nobody changes their own role; ask another admin.');
    const updated = await this.deps.users.setRole(userId, role);
    if (!updated) throw new NotFoundError('User', userId);
    await this.deps.profileCache.invalidate(userId);
    return updated;
  }

  /** The user cannot sign in or refresh any more; every session ends now, and the gateway refuses their access tokens. */
  async suspend(ctx: AuthContext, userId: string): Promise<UserRecord> {
    const admin = await this.deps.guard.admin(ctx);
    if (userId === admin.userId) throw new ForbiddenError('Nobody suspends themselves.');
    return this.setStatus(userId, 'SUSPENDED');
  }

  async unsuspend(ctx: AuthContext, userId: string): Promise<UserRecord> {
    await this.deps.guard.admin(ctx);
    return this.setStatus(userId, 'ACTIVE');
  }

  private async setStatus(userId: string, status: 'ACTIVE' | 'SUSPENDED'): Promise<UserRecord> {
    const target = await this.deps.users.findById(userId);
    if (!target || target.status === 'DELETED') throw new NotFoundError('User', userId);
    const endedSessions = await this.deps.transaction(async (tx) => {
      if (!(await this.deps.users.setStatus(tx, userId, status))) throw new NotFoundError('User', userId);
      return status === 'SUSPENDED' ? this.deps.sessions.revokeAll(tx, userId, 'SUSPENDED') : [];
    });
    if (status === 'SUSPENDED') {
      // User-wide for tokens of sessions opened while this ran; by id so that lifting the
      // suspension (which forgets the user-wide entry) does not bring the old tokens back.
      await this.deps.revocations.sessions(endedSessions, 'SUSPENDED');
      await this.deps.revocations.user(userId, 'SUSPENDED');
    } else {
      await this.deps.revocations.reinstate(userId);
    }
    await this.deps.profileCache.invalidate(userId);
    return { ...target, status };
  }
}
