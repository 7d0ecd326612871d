import type { Cache, Role } from '@market/platform';
import { isUuid, type UserRecord, type UserStatus } from '../domain';
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

/** The version is in the key, so a deploy that changes CachedUser never reads the old shape. */
const keyOf = (userId: string) => `user:v1:${userId}`;

/**
 * Users by id, read through the cache (Redis, shared by every replica; in-process without it): one
 * multi-get, then one query for the ids that missed. Users that do not exist are not cached.
 */
export class UserProfileCache {
  constructor(
    private readonly users: Pick<UserRepository, 'findByIds'>,
    private readonly cache: Cache,
    private readonly ttlSeconds = USER_PROFILE_TTL_SECONDS,
  ) {}

  async findByIds(ids: readonly string[]): Promise<UserRecord[]> {
    const wanted = [...new Set(ids.filter(isUuid))];
    if (wanted.length === 0) return [];
    const idOfKey = new Map(wanted.map((id) => [keyOf(id), id]));
    const cached = await this.cache.getOrLoadMany<CachedUser>([...idOfKey.keys()], this.ttlSeconds, async (missing) => {
      const rows = await this.users.findByIds(missing.map((key) => idOfKey.get(key) as string));
      return new Map(rows.map((user) => [keyOf(user.id), toCached(user)]));
    });
    return cached.filter((user): user is CachedUser => user !== undefined).map(fromCached);
  }

  /** After a change committed: the next read of these users goes to the database. */
  async invalidate(...userIds: string[]): Promise<void> {
    await this.cache.delete(...userIds.map(keyOf));
  }
}
