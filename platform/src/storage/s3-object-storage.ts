import type { ObjectStorage, PresignedUpload } from './object-storage';
import { SAFE_KEY } from './object-storage';
import { loadOptionalModule } from '../optional-module';

/**
 * The parts of @aws-sdk/client-s3 and @aws-sdk/s3-request-presigner (v3) this adapter uses. Both are
 * loaded only when S3_BUCKET is set, so embedded mode and tests do not need them installed.
 */
interface S3Command {
  readonly input: object;
}
interface S3ClientLike {
  send(command: S3Command): Promise<unknown>;
  destroy(): void;
}
interface S3Module {
  S3Client: new (config: {
    region: string;
    endpoint?: string;
    forcePathStyle?: boolean;
    requestChecksumCalculation?: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';
  }) => S3ClientLike;
  PutObjectCommand: new (input: { Bucket: string; Key: string; ContentType: string; ContentLength: number }) => S3Command;
  GetObjectCommand: new (input: { Bucket: string; Key: string; ResponseContentDisposition?: string }) => S3Command;
  HeadObjectCommand: new (input: { Bucket: string; Key: string }) => S3Command;
  DeleteObjectCommand: new (input: { Bucket: string; Key: string }) => S3Command;
}
interface PresignerModule {
  getSignedUrl(client: S3ClientLike, command: S3Command, options: { expiresIn: number; signableHeaders?: Set<string> }): Promise<string>;
}

export interface S3StorageOptions {
  bucket: string;
  region: string;
  /** An S3-compatible endpoint (MinIO, R2, ...): path-style addressing is used then. */
  endpoint?: string | undefined;
  /** Where objects are read from (a CDN, say); default the bucket's own URL. */
  publicUrl?: string | undefined;
}

/** Uploads (avatars, listing photos, message attachments) in S3: the client PUTs to a pre-signed URL that pins the content type and length. */
export class S3ObjectStorage implements ObjectStorage {
  readonly kind = 's3';
  private readonly base: string;

  private constructor(
    private readonly s3: S3Module,
    private readonly presigner: PresignerModule,
    private readonly client: S3ClientLike,
    private readonly options: S3StorageOptions,
  ) {
    const fallback = options.endpoint
      ? `${options.endpoint.replace(/\/+$/, '')}/${options.bucket}`
      : `https://${options.bucket}.s3.${options.region}.amazonaws.com`;
    this.base = (options.publicUrl ?? fallback).replace(/\/+$/, '');
  }

  /** Credentials come from the AWS default chain (environment, shared files, instance role). */
  static async create(options: S3StorageOptions): Promise<S3ObjectStorage> {
    const s3 = await loadOptionalModule<S3Module>('@aws-sdk/client-s3', 'S3_BUCKET');
    const presigner = await loadOptionalModule<PresignerModule>('@aws-sdk/s3-request-presigner', 'S3_BUCKET');
    const client = new s3.S3Client({
      region: options.region,
      // Otherwise the SDK signs a CRC32 of the (empty) body into the URL and S3 refuses the real upload.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
    });
    return new S3ObjectStorage(s3, presigner, client, options);
  }

  async presignPut(input: { key: string; contentType: string; size: number; expiresInSeconds: number }): Promise<PresignedUpload> {
    const command = new this.s3.PutObjectCommand({
      Bucket: this.options.bucket,
      Key: input.key,
      ContentType: input.contentType,
      ContentLength: input.size,
    });
    // Signing both headers means S3 refuses any other type or size.
    const url = await this.presigner.getSignedUrl(this.client, command, {
      expiresIn: input.expiresInSeconds,
      signableHeaders: new Set(['content-type', 'content-length']),
    });
    return {
      url,
      method: 'PUT',
      headers: { 'Content-Type': input.contentType },
      expiresAt: new Date(Date.now() + input.expiresInSeconds * 1000),
    };
  }

  publicUrl(key: string): string {
    return `${this.base}/${key}`;
  }

  /** A pre-signed GetObject on the bucket itself (not the public URL), answered as a download. */
  async presignGet(key: string, expiresInSeconds: number): Promise<string> {
    if (!SAFE_KEY.test(key)) throw new Error(`unsafe object key ${JSON.stringify(key)}`);
    const command = new this.s3.GetObjectCommand({ Bucket: this.options.bucket, Key: key, ResponseContentDisposition: 'attachment' });
    return this.presigner.getSignedUrl(this.client, command, { expiresIn: expiresInSeconds });
  }

  keyOf(url: string): string | null {
    const prefix = `${this.base}/`;
    if (!url.startsWith(prefix)) return null;
    const key = url.slice(prefix.length);
    return SAFE_KEY.test(key) ? key : null;
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new this.s3.HeadObjectCommand({ Bucket: this.options.bucket, Key: key }));
      return true;
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404 || (err as { name?: string }).name === 'NotFound') return false;
      throw err;
    }
  }

  async remove(key: string): Promise<void> {
    await this.client.send(new this.s3.DeleteObjectCommand({ Bucket: this.options.bucket, Key: key }));
  }

  close(): void {
    this.client.destroy();
  }
}
