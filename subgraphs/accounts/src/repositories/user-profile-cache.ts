import { EntityCache, type Cache, type Role } from '@market/platform';
import type { UserRecord, UserStatus } from '../domain';
import type { UserRepository } from './user-repository';

/**
 * How long a cached user may be served. Every change deletes the entry (right after the commit, and
 * again when its event arrives), so this only bounds staleness when an invalidation is lost, for
 * example while Redis is down.
 */
export const USER_PROFILE_TTL_SECONDS = 300;

/**
 * A user as cached: the record the user loader returns, JSON-safe. Its fields are listed one by one
 * so nothing reaches the cache by accident (the password hash is not even selected). E-mail, phone,
 * status and verification are private: the `User` field resolvers filter them per viewer after the
 * loader, cached or not.
 */
interface CachedUser {
  id: string;
  name: string;
  email: string;
  role: Role;
  status: UserStatus;
  phone: string | null;
  avatarUrl: string | null;
  bio: string | null;
  emailVerifiedAt: string | null;
  createdAt: string;
}

function toCached(user: UserRecord): CachedUser {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    role: user.role,
    status: user.status,
    phone: user.phone,
    avatarUrl: user.avatarUrl,
    bio: user.bio,
    emailVerifiedAt: user.emailVerifiedAt?.toISOString() ?? null,
    createdAt: user.createdAt.toISOString(),
  };
}

function fromCached(cached: CachedUser): UserRecord {
  return {
    ...cached,
    emailVerifiedAt: cached.emailVerifiedAt === null ? null : new Date(cached.emailVerifiedAt),
    createdAt: new Date(cached.createdAt),
  };
}

/**
 * Users by id, read through the cache (platform EntityCache). The version is in the key, so a
 * deploy that changes CachedUser never reads the old shape.
 */
export class UserProfileCache extends EntityCache<UserRecord, CachedUser> {
  constructor(users: Pick<UserRepository, 'findByIds'>, cache: Cache, ttlSeconds = USER_PROFILE_TTL_SECONDS) {
    super(users, cache, { key: (userId) => `user:v1:${userId}`, toCached, fromCached }, ttlSeconds);
  }
}
