import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { BadUserInputError, parseInput, type AuthContext, type Logger, type ObjectStorage, type PresignedUpload } from '@market/platform';
import type { UserRecord } from '../domain';
import type { UserRepository } from '../repositories/user-repository';
import type { UserProfileCache } from '../repositories/user-profile-cache';
import type { SessionGuard } from './session-guard';
import type { Revocations } from './revocations';
import { verifyPassword } from './passwords';
import { accountKey, type AccountLimits, type RateLimiter } from './rate-limits';

export const AVATAR_TYPES: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };
const UPLOAD_URL_TTL_SECONDS = 10 * 60;

const optionalText = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label} is at most ${max} characters`)
    .nullable()
    .optional()
    .transform((v) => (v === '' ? null : v));

const profileSchema = z.object({
  name: z.string().trim().min(1, 'name must not be empty').max(120, 'name is at most 120 characters').optional(),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()-]{6,24}$/, 'phone must be digits, optionally starting with +')
    .nullable()
    .optional(),
  bio: optionalText(500, 'bio'),
  avatarUrl: z.string().max(2048).nullable().optional(),
});

export interface AvatarUpload extends PresignedUpload {
  avatarUrl: string;
}

/** A user's own profile and avatar, and deleting their account. */
export class ProfileService {
  constructor(
    private readonly deps: {
      users: UserRepository;
      profileCache: UserProfileCache;
      guard: SessionGuard;
      storage: ObjectStorage;
      limiter: RateLimiter;
      limits: AccountLimits;
      revocations: Revocations;
      avatarMaxBytes: number;
      logger: Logger;
    },
  ) {}

  async update(ctx: AuthContext, input: unknown): Promise<UserRecord> {
    const caller = await this.deps.guard.active(ctx);
    const raw = (input ?? {}) as Record<string, unknown>;
    if (raw['name'] === null) throw new BadUserInputError('name cannot be removed.', { name: ['must not be null'] });
    const changes = parseInput(profileSchema, input);
    const before = await this.deps.users.findById(caller.userId);
    if (changes.avatarUrl) await this.checkAvatar(caller.userId, changes.avatarUrl);
    const updated = await this.deps.users.updateProfile(caller.userId, changes);
    await this.deps.profileCache.invalidate(caller.userId);
    if (changes.avatarUrl !== undefined && before?.avatarUrl && before.avatarUrl !== updated.avatarUrl) {
      await this.removeAvatar(before.avatarUrl);
    }
    return updated;
  }

  /** A pre-signed URL for the caller's next avatar; the bytes go straight to storage. */
  async createAvatarUpload(ctx: AuthContext, contentType: string, size: number): Promise<AvatarUpload> {
    const caller = await this.deps.guard.active(ctx);
    const extension = AVATAR_TYPES[contentType];
    const problems: Record<string, string[]> = {};
    if (!extension) problems['contentType'] = [`must be one of ${Object.keys(AVATAR_TYPES).join(', ')}`];
    if (!Number.isInteger(size) || size < 1 || size > this.deps.avatarMaxBytes) {
      problems['size'] = [`must be between 1 and ${this.deps.avatarMaxBytes} bytes`];
    }
    if (!extension || problems['size']) throw new BadUserInputError('This avatar cannot be uploaded.', problems);
    await this.deps.limiter.hit(accountKey('avatar-upload', caller.userId), this.deps.limits.avatarUploadsPerAccount);
    const key = `avatars/${caller.userId}/${randomUUID()}.${extension}`;
    const upload = await this.deps.storage.presignPut({ key, contentType, size, expiresInSeconds: UPLOAD_URL_TTL_SECONDS });
    return { ...upload, avatarUrl: this.deps.storage.publicUrl(key) };
  }

  /** Erases the caller's personal data, given their password; other services hear of it by event. */
  async deleteAccount(ctx: AuthContext, password: string): Promise<'deleted' | 'invalidCredentials'> {
    const caller = await this.deps.guard.active(ctx);
    await this.deps.limiter.hit(accountKey('password', caller.userId), this.deps.limits.passwordCheckPerAccount);
    const credentials = await this.deps.users.findCredentialsById(caller.userId);
    if (!credentials || !(await verifyPassword(credentials.passwordHash, password))) return 'invalidCredentials';
    await this.deps.users.anonymize(caller.userId);
    // Before answering, so no request made after the deletion creates data the erasure missed.
    await this.deps.revocations.user(caller.userId, 'DELETED');
    await this.deps.profileCache.invalidate(caller.userId);
    if (credentials.avatarUrl) await this.removeAvatar(credentials.avatarUrl);
    return 'deleted';
  }

  /** Only a picture this user uploaded through createAvatarUpload, and only once it is there. */
  private async checkAvatar(userId: string, url: string): Promise<void> {
    const key = this.deps.storage.keyOf(url);
    if (!key || !key.startsWith(`avatars/${userId}/`) || !(await this.deps.storage.exists(key))) {
      throw new BadUserInputError('avatarUrl must be the avatarUrl createAvatarUpload gave you, after the upload finished.', {
        avatarUrl: ['is not an uploaded avatar of yours'],
      });
    }
  }

  private async removeAvatar(url: string): Promise<void> {
    const key = this.deps.storage.keyOf(url);
    if (!key) return;
    await this.deps.storage.remove(key).catch((err: unknown) => this.deps.logger.warn({ err, key }, 'could not remove an old avatar'));
  }
}
