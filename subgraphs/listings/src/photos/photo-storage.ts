import { hkdfSync } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { createObjectStorage, type ChosenObjectStorage, type Logger } from '@market/platform';
import type { ListingsEnv } from '../env';

/** S3 when S3_BUCKET is set; otherwise files on local disk served by this subgraph under /uploads. */
export function createPhotoStorage(env: ListingsEnv, logger: Logger): Promise<ChosenObjectStorage> {
  const secret = env.UPLOAD_SIGNING_SECRET ?? env.GATEWAY_SIGNING_SECRET;
  return createObjectStorage(env, {
    root: path.join(env.DATA_DIR ?? path.join(os.tmpdir(), 'market-listings'), 'listing-photos'),
    // Its own key, derived for this purpose only, even when it comes from the gateway secret.
    signingKey: Buffer.from(hkdfSync('sha256', secret, 'market-listings', 'photo-upload-urls', 32)),
    what: 'listing photos',
    logger,
  });
}
