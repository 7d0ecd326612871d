import { BadUserInputError, isUuid, NotFoundError, type AuthContext } from '@market/platform';
import { FOLLOWABLE_ROLES, type ConnectionRecord, type UserRecord } from '../domain';
import type { ConnectionRepository } from '../repositories/connection-repository';
import type { UserRepository } from '../repositories/user-repository';
import type { SessionGuard } from './session-guard';

const MAX_LISTED = 200;

/** Connections between users and follows of sellers and agents. */
export class SocialService {
  constructor(private readonly deps: { connections: ConnectionRepository; users: UserRepository; guard: SessionGuard }) {}

  async requestConnection(ctx: AuthContext, userId: string): Promise<ConnectionRecord> {
    const caller = await this.deps.guard.active(ctx);
    if (userId === caller.userId) throw new BadUserInputError('You cannot connect to yourself.', { userId: ['is you'] });
    await this.activeUser(userId);
    return this.deps.connections.request(caller.userId, userId);
  }

  /** Only the user who was asked can accept; anyone else's id (or a wrong one) is NOT_FOUND. */
  async accept(ctx: AuthContext, id: string): Promise<ConnectionRecord> {
    const caller = await this.deps.guard.active(ctx);
    if (!isUuid(id)) throw new NotFoundError('Connection request', id);
    const accepted = await this.deps.connections.accept(id, caller.userId);
    if (accepted) return accepted;
    const existing = await this.deps.connections.findForParty(id, caller.userId);
    if (existing?.status === 'ACCEPTED') return existing;
    throw new NotFoundError('Connection request', id);
  }

  async decline(ctx: AuthContext, id: string): Promise<true> {
    const caller = await this.deps.guard.active(ctx);
    if (!isUuid(id) || !(await this.deps.connections.decline(id, caller.userId))) throw new NotFoundError('Connection request', id);
    return true;
  }

  async remove(ctx: AuthContext, userId: string): Promise<true> {
    const caller = await this.deps.guard.active(ctx);
    if (!isUuid(userId) || !(await this.deps.connections.remove(caller.userId, userId))) throw new NotFoundError('Connection', userId);
    return true;
  }

  async connections(ctx: AuthContext): Promise<ConnectionRecord[]> {
    const caller = await this.deps.guard.active(ctx);
    return this.deps.connections.listAccepted(caller.userId, MAX_LISTED);
  }

  async requests(ctx: AuthContext, direction: 'INCOMING' | 'OUTGOING'): Promise<ConnectionRecord[]> {
    const caller = await this.deps.guard.active(ctx);
    return this.deps.connections.listPending(caller.userId, direction, MAX_LISTED);
  }

  /** Ids of users connected to both the caller and `userId`: only ever the caller's own connections. */
  async mutual(ctx: AuthContext, userId: string): Promise<string[]> {
    const caller = await this.deps.guard.active(ctx);
    if (!isUuid(userId)) throw new NotFoundError('User', userId);
    await this.activeUser(userId);
    return this.deps.connections.mutual(caller.userId, userId, MAX_LISTED);
  }

  async follow(ctx: AuthContext, userId: string): Promise<UserRecord> {
    const caller = await this.deps.guard.active(ctx);
    if (userId === caller.userId) throw new BadUserInputError('You cannot follow yourself.', { userId: ['is you'] });
    const target = await this.activeUser(userId);
    if (!FOLLOWABLE_ROLES.includes(target.role)) {
      throw new BadUserInputError('Only sellers and agents can be followed.', { userId: ['is not a seller or an agent'] });
    }
    await this.deps.connections.follow(caller.userId, userId);
    return target;
  }

  async unfollow(ctx: AuthContext, userId: string): Promise<true> {
    const caller = await this.deps.guard.active(ctx);
    if (isUuid(userId)) await this.deps.connections.unfollow(caller.userId, userId);
    return true;
  }

  async following(ctx: AuthContext): Promise<string[]> {
    const caller = await this.deps.guard.active(ctx);
    return this.deps.connections.followees(caller.userId, MAX_LISTED);
  }

  async followers(ctx: AuthContext): Promise<string[]> {
    const caller = await this.deps.guard.active(ctx);
    return this.deps.connections.followers(caller.userId, MAX_LISTED);
  }

  private async activeUser(userId: string): Promise<UserRecord> {
    const user = await this.deps.users.findById(userId);
    if (!user || user.status !== 'ACTIVE' || !user.emailVerifiedAt) throw new NotFoundError('User', userId);
    return user;
  }
}
