import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger, SubgraphParts } from '@market/platform';

/** The subgraph's express app, as the platform host hands it to `routes` (messaging does not depend on express itself). */
type App = Parameters<NonNullable<SubgraphParts<never>['routes']>>[0];
type Request = Parameters<Parameters<App['get']>[1]>[0];
type Response = Parameters<Parameters<App['get']>[1]>[1];

/** `<conversation id>/<attachment id>.<extension>`: generated here, nothing else is a key. */
const KEY = /^[0-9a-f-]{36}\/[0-9a-f-]{36}\.[a-z]{3,4}$/;

export interface SignedUpload {
  url: string;
  method: 'PUT';
  headers: { name: string; value: string }[];
  expiresAt: Date;
}

/**
 * Message attachments on this machine's disk, the way accounts keeps avatars in embedded mode: the
 * client PUTs the bytes to a URL signed for one key, content type and size until it expires (the
 * bytes never pass through GraphQL), and reads them back through a download URL signed for a few
 * minutes, handed only to members of the conversation (so nothing here is public). Served by this
 * subgraph's HTTP server under /attachments.
 */
export class AttachmentStore {
  private baseUrl: string | null;

  constructor(private readonly options: { root: string; signingKey: string; baseUrl?: string | undefined; logger: Logger }) {
    this.baseUrl = options.baseUrl?.replace(/\/+$/, '') ?? null;
  }

  /** Called once the server listens, when no public URL was configured. */
  useBaseUrlIfUnset(url: string): void {
    this.baseUrl ??= url.replace(/\/+$/, '');
  }

  uploadUrl(key: string, contentType: string, size: number, expiresInSeconds: number): SignedUpload {
    const expires = Math.floor(Date.now() / 1000) + expiresInSeconds;
    const query = new URLSearchParams({ type: contentType, size: String(size), expires: String(expires), signature: this.sign(['PUT', key, contentType, size, expires]) });
    return { url: `${this.url(key)}?${query}`, method: 'PUT', headers: [{ name: 'Content-Type', value: contentType }], expiresAt: new Date(expires * 1000) };
  }

  downloadUrl(key: string, expiresInSeconds: number): string {
    const expires = Math.floor(Date.now() / 1000) + expiresInSeconds;
    return `${this.url(key)}?${new URLSearchParams({ expires: String(expires), signature: this.sign(['GET', key, expires]) })}`;
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

  /** PUT and GET /attachments/<conversation>/<file> on the subgraph's express app. */
  mount(app: App): void {
    app.put('/attachments/:conversation/:file', (req, res) => {
      this.receive(req, res).catch((err: unknown) => {
        this.options.logger.error({ err }, 'attachment upload failed');
        if (!res.headersSent) refuse(res, 500, 'The upload failed; ask for a new upload URL and try again.');
      });
    });
    app.get('/attachments/:conversation/:file', (req, res) => {
      const key = keyOf(req);
      const q = req.query as Record<string, unknown>;
      const expires = Number(q['expires']);
      if (!key || !Number.isSafeInteger(expires) || !this.verify(['GET', key, expires], q['signature'])) return refuse(res, 403, 'This download URL is not valid.');
      if (expires * 1000 < Date.now()) return refuse(res, 403, 'This download URL has expired; read the message again for a fresh one.');
      res.sendFile(key, {
        root: this.options.root,
        dotfiles: 'deny',
        headers: {
          // Downloaded, never rendered by the browser in this origin.
          'Content-Disposition': 'attachment',
          'X-Content-Type-Options': 'nosniff',
          'Content-Security-Policy': "default-src 'none'; sandbox",
          'Cache-Control': 'private, max-age=300',
        },
      }, (err) => {
        if (err && !res.headersSent) refuse(res, 404, 'Not found.');
      });
    });
  }

  private async receive(req: Request, res: Response): Promise<void> {
    const key = keyOf(req);
    const q = req.query as Record<string, unknown>;
    const [type, size, expires] = [String(q['type'] ?? ''), Number(q['size']), Number(q['expires'])];
    if (!key || !Number.isSafeInteger(size) || !Number.isSafeInteger(expires) || !this.verify(['PUT', key, type, size, expires], q['signature'])) {
      return refuse(res, 403, 'This upload URL is not valid.');
    }
    if (expires * 1000 < Date.now()) return refuse(res, 403, 'This upload URL has expired; ask for a new one.');
    if (req.header('content-type') !== type) return refuse(res, 400, `Send the header Content-Type: ${type}.`);
    if (req.header('content-length') !== String(size)) return refuse(res, 400, `Send exactly ${size} bytes, with a Content-Length header.`);
    if (await this.exists(key)) return refuse(res, 409, 'This upload URL was already used.');
    const target = this.file(key);
    await mkdir(path.dirname(target), { recursive: true });
    const partial = `${target}.${randomBytes(6).toString('hex')}.part`;
    let received = 0;
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        done(received > size ? new Error('body larger than signed') : null, chunk);
      },
    });
    try {
      await pipeline(req, count, createWriteStream(partial, { flags: 'wx' }));
      if (received !== size) throw new Error('body size differs from the signed size');
      await rename(partial, target);
    } catch (err) {
      await rm(partial, { force: true });
      this.options.logger.warn({ err, key }, 'refused an attachment upload');
      return refuse(res, 400, `Send exactly ${size} bytes.`);
    }
    res.status(200).end();
  }

  private url(key: string): string {
    if (!this.baseUrl) throw new Error('the attachment store has no public URL yet: the server is not listening');
    return `${this.baseUrl}/${key}`;
  }

  private sign(parts: (string | number)[]): string {
    return createHmac('sha256', this.options.signingKey).update(parts.join('\n')).digest('base64url');
  }

  private verify(parts: (string | number)[], signature: unknown): boolean {
    const expected = Buffer.from(this.sign(parts));
    const given = Buffer.from(typeof signature === 'string' ? signature : '');
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private file(key: string): string {
    if (!KEY.test(key)) throw new Error(`unsafe attachment key ${JSON.stringify(key)}`);
    return path.join(this.options.root, ...key.split('/'));
  }
}

function keyOf(req: Request): string | null {
  const { conversation, file } = req.params as Record<string, string | undefined>;
  const key = `${conversation ?? ''}/${file ?? ''}`;
  return KEY.test(key) ? key : null;
}

function refuse(res: Response, status: number, message: string): void {
  res.status(status).json({ error: message });
}
