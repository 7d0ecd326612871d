import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Express, Request, Response } from 'express';
import type { Logger } from '../logger';
import { SAFE_KEY, type ObjectStorage, type PresignedUpload } from './object-storage';

/** What the public GET serves (avatars, listing photos): pictures only. */
const PUBLIC_TYPES: Record<string, string> = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };
/** What a signed GET serves, always as a download. */
const CONTENT_TYPES: Record<string, string> = { ...PUBLIC_TYPES, pdf: 'application/pdf', txt: 'text/plain' };

interface SignedPut {
  key: string;
  contentType: string;
  size: number;
  expires: number;
}

/**
 * The embedded-mode object store: files under `root`, uploaded with a PUT to a URL signed like an
 * S3 pre-signed URL (HMAC over key, content type, size and expiry) and served back by this
 * subgraph's HTTP server under /uploads (accounts' avatars, listings' photos). With `access: 'private'`
 * (messaging's attachments) nothing is served without a GET URL signed by `presignGet` (HMAC over key
 * and expiry). Production uses S3ObjectStorage instead.
 */
export class LocalObjectStorage implements ObjectStorage {
  readonly kind = 'local';
  private baseUrl: string | null;

  constructor(
    private readonly options: {
      root: string;
      signingKey: Buffer;
      baseUrl?: string | undefined;
      logger: Logger;
      /** public (default): GET /uploads/<key> serves pictures to anyone; private: only signed GET URLs are served. */
      access?: 'public' | 'private' | undefined;
    },
  ) {
    this.baseUrl = options.baseUrl?.replace(/\/+$/, '') ?? null;
  }

  /** Called once the server listens, when no public URL was configured. */
  useBaseUrlIfUnset(url: string): void {
    this.baseUrl ??= url.replace(/\/+$/, '');
  }

  private base(): string {
    if (!this.baseUrl) throw new Error('the local object storage has no public URL yet: the server is not listening');
    return this.baseUrl;
  }

  async presignPut(input: { key: string; contentType: string; size: number; expiresInSeconds: number }): Promise<PresignedUpload> {
    assertKey(input.key);
    const expires = Math.floor(Date.now() / 1000) + input.expiresInSeconds;
    const signed: SignedPut = { key: input.key, contentType: input.contentType, size: input.size, expires };
    const query = new URLSearchParams({
      type: input.contentType,
      size: String(input.size),
      expires: String(expires),
      signature: this.sign(signed),
    });
    return {
      url: `${this.publicUrl(input.key)}?${query.toString()}`,
      method: 'PUT',
      headers: { 'Content-Type': input.contentType },
      expiresAt: new Date(expires * 1000),
    };
  }

  publicUrl(key: string): string {
    return `${this.base()}/${key}`;
  }

  async presignGet(key: string, expiresInSeconds: number): Promise<string> {
    assertKey(key);
    const expires = Math.floor(Date.now() / 1000) + expiresInSeconds;
    const query = new URLSearchParams({ expires: String(expires), signature: this.signGet(key, expires) });
    return `${this.publicUrl(key)}?${query.toString()}`;
  }

  keyOf(url: string): string | null {
    const prefix = `${this.base()}/`;
    if (!url.startsWith(prefix)) return null;
    const key = url.slice(prefix.length);
    return SAFE_KEY.test(key) ? key : null;
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.file(key))).isFile();
    } catch {
      return false;
    }
  }

  async remove(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }

  /** Adds PUT and GET /uploads/<key> to the subgraph's express app. */
  mount(app: Express): void {
    app.put('/uploads/*key', (req, res) => {
      this.receive(req, res).catch((err: unknown) => {
        this.options.logger.error({ err }, 'object upload failed');
        if (!res.headersSent) refuse(res, 500, 'The upload failed; ask for a new upload URL and try again.');
      });
    });
    app.get('/uploads/*key', (req, res) => {
      const key = keyParam(req);
      const q = req.query as Record<string, unknown>;
      if ('signature' in q || this.options.access === 'private') {
        const expires = Number(q['expires']);
        const signature = typeof q['signature'] === 'string' ? q['signature'] : '';
        if (!key || !Number.isSafeInteger(expires) || !this.verifyGet(key, expires, signature)) {
          return refuse(res, 403, 'This download URL is not valid.');
        }
        if (expires * 1000 < Date.now()) return refuse(res, 403, 'This download URL has expired; ask for a new one.');
        const type = CONTENT_TYPES[path.extname(key).slice(1)];
        if (!type) return refuse(res, 404, 'Not found.');
        // Downloaded, never rendered by the browser in this origin, and kept by no shared cache.
        return this.send(res, key, { 'Content-Type': type, 'Content-Disposition': 'attachment', 'Cache-Control': 'private, max-age=300' });
      }
      const type = key ? PUBLIC_TYPES[path.extname(key).slice(1)] : undefined;
      if (!key || !type) return refuse(res, 404, 'Not found.');
      this.send(res, key, { 'Content-Type': type, 'Cache-Control': 'public, max-age=31536000, immutable' });
    });
  }

  private send(res: Response, key: string, headers: Record<string, string>): void {
    res.sendFile(
      key,
      {
        root: this.options.root,
        dotfiles: 'deny',
        headers: { ...headers, 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "default-src 'none'; sandbox" },
      },
      (err) => {
        if (err && !res.headersSent) refuse(res, 404, 'Not found.');
      },
    );
  }

  private async receive(req: Request, res: Response): Promise<void> {
    const key = keyParam(req);
    const q = req.query as Record<string, unknown>;
    const signed: SignedPut | null =
      key && typeof q['type'] === 'string' && typeof q['size'] === 'string' && typeof q['expires'] === 'string'
        ? { key, contentType: q['type'], size: Number(q['size']), expires: Number(q['expires']) }
        : null;
    const signature = typeof q['signature'] === 'string' ? q['signature'] : '';
    if (!signed || !Number.isSafeInteger(signed.size) || !this.verify(signed, signature)) {
      return refuse(res, 403, 'This upload URL is not valid.');
    }
    if (signed.expires * 1000 < Date.now()) return refuse(res, 403, 'This upload URL has expired; ask for a new one.');
    if (req.header('content-type') !== signed.contentType) {
      return refuse(res, 400, `Send the header Content-Type: ${signed.contentType}.`);
    }
    if (req.header('content-length') !== String(signed.size)) {
      return refuse(res, 400, `Send exactly ${signed.size} bytes, with a Content-Length header.`);
    }
    const target = this.file(signed.key);
    if (await this.exists(signed.key)) return refuse(res, 409, 'This upload URL was already used.');
    await mkdir(path.dirname(target), { recursive: true });
    const partial = `${target}.${randomBytes(6).toString('hex')}.part`;
    let received = 0;
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        done(received > signed.size ? new Error('body larger than signed') : null, chunk);
      },
    });
    try {
      await pipeline(req, count, createWriteStream(partial, { flags: 'wx' }));
      if (received !== signed.size) throw new Error('body size differs from the signed size');
      await rename(partial, target);
    } catch (err) {
      await rm(partial, { force: true });
      this.options.logger.warn({ err, key: signed.key }, 'refused an object upload');
      return refuse(res, 400, `Send exactly ${signed.size} bytes.`);
    }
    res.status(200).end();
  }

  private sign(put: SignedPut): string {
    return createHmac('sha256', this.options.signingKey)
      .update(`${put.key}\n${put.contentType}\n${put.size}\n${put.expires}`)
      .digest('base64url');
  }

  private verify(put: SignedPut, signature: string): boolean {
    return same(this.sign(put), signature);
  }

  /** Starts with GET, which no key is (keys have an extension): a PUT signature never passes as a GET one. */
  private signGet(key: string, expires: number): string {
    return createHmac('sha256', this.options.signingKey).update(`GET\n${key}\n${expires}`).digest('base64url');
  }

  private verifyGet(key: string, expires: number, signature: string): boolean {
    return same(this.signGet(key, expires), signature);
  }

  private file(key: string): string {
    assertKey(key);
    return path.join(this.options.root, ...key.split('/'));
  }
}

function same(expectedSignature: string, givenSignature: string): boolean {
  const expected = Buffer.from(expectedSignature);
  const given = Buffer.from(givenSignature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function assertKey(key: string): void {
  if (!SAFE_KEY.test(key)) throw new Error(`unsafe object key ${JSON.stringify(key)}`);
}

function keyParam(req: Request): string | null {
  const parts = (req.params as Record<string, unknown>)['key'];
  const key = Array.isArray(parts) ? parts.join('/') : typeof parts === 'string' ? parts : '';
  return SAFE_KEY.test(key) ? key : null;
}

function refuse(res: Response, status: number, message: string): void {
  res.status(status).json({ error: message });
}
