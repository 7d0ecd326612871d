import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../logger';
import { createObjectStorage } from './create-object-storage';
import { LocalObjectStorage } from './local-object-storage';
import { S3ObjectStorage } from './s3-object-storage';

const env = {
  NODE_ENV: 'test',
  UPLOADS_PUBLIC_URL: 'http://localhost:4001/uploads',
  UPLOAD_SIGNING_SECRET: undefined,
  S3_BUCKET: undefined,
  S3_REGION: 'us-east-1',
  S3_ENDPOINT: undefined,
  S3_PUBLIC_URL: undefined,
};
const local = { root: path.join(os.tmpdir(), 'market-storage-test'), signingKey: Buffer.alloc(32, 1), what: 'photos' };

describe('createObjectStorage', () => {
  it('keeps uploads on local disk without S3_BUCKET, mounted by the service, and warns in production', async () => {
    const logger = createLogger('storage-test', 'silent');
    const warn = jest.spyOn(logger, 'warn');
    const chosen = await createObjectStorage({ ...env, NODE_ENV: 'production' }, { ...local, logger });
    expect(chosen.storage).toBeInstanceOf(LocalObjectStorage);
    expect(chosen.local).toBe(chosen.storage);
    expect(chosen.storage.publicUrl('a/b.png')).toBe('http://localhost:4001/uploads/a/b.png');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("photos are kept on this machine's disk"));
  });

  it('uses S3 when S3_BUCKET is set, with nothing for the service to mount', async () => {
    const chosen = await createObjectStorage(
      { ...env, S3_BUCKET: 'market-photos', S3_ENDPOINT: 'http://127.0.0.1:9', S3_PUBLIC_URL: 'https://cdn.example.com' },
      { ...local, logger: createLogger('storage-test', 'silent') },
    );
    try {
      expect(chosen.storage).toBeInstanceOf(S3ObjectStorage);
      expect(chosen.local).toBeNull();
      expect(chosen.storage.keyOf('https://cdn.example.com/a/b.png')).toBe('a/b.png');
    } finally {
      chosen.close();
    }
  });
});
