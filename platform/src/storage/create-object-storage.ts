import { z } from 'zod';
import { secret } from '../env';
import type { Logger } from '../logger';
import { LocalObjectStorage } from './local-object-storage';
import type { ObjectStorage } from './object-storage';
import { S3ObjectStorage } from './s3-object-storage';

const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/** The variables of a service that stores client uploads (accounts' avatars, listings' photos, messaging's attachments). */
export const objectStorageEnvShape = {
  /** Public base URL of the local store; default http://localhost:<port>/uploads of this process. */
  UPLOADS_PUBLIC_URL: optional(z.url()),
  /** Key of the HMAC that signs local upload URLs; derived from another secret of the service when unset. */
  UPLOAD_SIGNING_SECRET: optional(secret),
  /** Set S3_BUCKET to keep uploads in S3 (or any S3-compatible store) instead of on local disk. */
  S3_BUCKET: optional(z.string().min(3)),
  S3_REGION: z.string().default('us-east-1'),
  /** For S3-compatible stores (MinIO, R2, ...); path-style addressing is used when set. */
  S3_ENDPOINT: optional(z.url()),
  /** Public base URL of the bucket (a CDN, say); default https://<bucket>.s3.<region>.amazonaws.com. */
  S3_PUBLIC_URL: optional(z.url()),
};

/** What createObjectStorage reads of a service's parsed env (objectStorageEnvShape and NODE_ENV). */
export interface ObjectStorageEnv {
  NODE_ENV: string;
  UPLOADS_PUBLIC_URL?: string | undefined;
  S3_BUCKET?: string | undefined;
  S3_REGION: string;
  S3_ENDPOINT?: string | undefined;
  S3_PUBLIC_URL?: string | undefined;
}

export interface ChosenObjectStorage {
  storage: ObjectStorage;
  /** The local store, whose routes the service's HTTP server mounts; null with S3. */
  local: LocalObjectStorage | null;
  close(): void;
}

/**
 * S3 when S3_BUCKET is set; otherwise files under `local.root`, served by the service itself under
 * /uploads (fine for one replica: production warns).
 */
export async function createObjectStorage(
  env: ObjectStorageEnv,
  local: { root: string; signingKey: Buffer; what: string; logger: Logger; access?: 'public' | 'private' },
): Promise<ChosenObjectStorage> {
  if (env.S3_BUCKET) {
    const storage = await S3ObjectStorage.create({
      bucket: env.S3_BUCKET,
      region: env.S3_REGION,
      endpoint: env.S3_ENDPOINT,
      publicUrl: env.S3_PUBLIC_URL,
    });
    return { storage, local: null, close: () => storage.close() };
  }
  if (env.NODE_ENV === 'production') {
    local.logger.warn(`S3_BUCKET is not set: ${local.what} are kept on this machine's disk, which only suits a single replica`);
  }
  const storage = new LocalObjectStorage({
    root: local.root,
    signingKey: local.signingKey,
    baseUrl: env.UPLOADS_PUBLIC_URL,
    logger: local.logger,
    access: local.access,
  });
  return { storage, local: storage, close: () => undefined };
}
