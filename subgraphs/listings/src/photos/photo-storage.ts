import { hkdfSync } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '@market/platform';
import type { ListingsEnv } from '../env';
import { LocalObjectStorage } from '../adapters/local-object-storage';
import type { ObjectStorage } from '../adapters/object-storage';
import { S3ObjectStorage } from '../adapters/s3-object-storage';

/** S3 when S3_BUCKET is set; otherwise files on local disk served by this subgraph under /uploads. */
export async function createPhotoStorage(env: ListingsEnv, logger: Logger): Promise<{ storage: ObjectStorage; local: LocalObjectStorage | null; close(): void }> {
  if (env.S3_BUCKET) {
    const storage = await S3ObjectStorage.create({ bucket: env.S3_BUCKET, region: env.S3_REGION, endpoint: env.S3_ENDPOINT, publicUrl: env.S3_PUBLIC_URL });
    return { storage, local: null, close: () => storage.close() };
  }
  if (env.NODE_ENV === 'production') {
    logger.warn("S3_BUCKET is not set: listing photos are kept on this machine's disk, which only suits a single replica");
  }
  const secret = env.UPLOAD_SIGNING_SECRET ?? env.GATEWAY_SIGNING_SECRET;
  const local = new LocalObjectStorage({
    root: path.join(env.DATA_DIR ?? path.join(os.tmpdir(), 'market-listings'), 'listing-photos'),
    // Its own key, derived for this purpose only, even when it comes from the gateway secret.
    signingKey: Buffer.from(hkdfSync('sha256', secret, 'market-listings', 'photo-upload-urls', 32)),
    baseUrl: env.UPLOADS_PUBLIC_URL,
    logger,
  });
  return { storage: local, local, close: () => undefined };
}
