import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { createLogger } from '../logger';
import { LocalObjectStorage } from './local-object-storage';

/** The embedded-mode store behind a real HTTP server: signed PUTs, public pictures, and private signed GETs. */
describe('LocalObjectStorage', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'local-object-storage-test-'));
  const servers: http.Server[] = [];

  async function serve(access?: 'public' | 'private'): Promise<LocalObjectStorage> {
    const storage = new LocalObjectStorage({
      root: path.join(root, access ?? 'default'),
      signingKey: Buffer.alloc(32, 7),
      logger: createLogger('storage-test', 'silent'),
      access,
    });
    const app = express();
    storage.mount(app);
    const server = http.createServer(app);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    storage.useBaseUrlIfUnset(`http://127.0.0.1:${(server.address() as AddressInfo).port}/uploads`);
    return storage;
  }

  async function store(storage: LocalObjectStorage, key: string, type: string, bytes: Buffer): Promise<void> {
    const upload = await storage.presignPut({ key, contentType: type, size: bytes.length, expiresInSeconds: 60 });
    const res = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: bytes });
    expect(res.status).toBe(200);
  }

  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    rmSync(root, { recursive: true, force: true });
  });

  it('serves a private object only through a GET URL signed for its key, as a download, until it expires', async () => {
    const storage = await serve('private');
    const pdf = Buffer.from('%PDF-1.7 a floor plan');
    await store(storage, 'c1/a1.pdf', 'application/pdf', pdf);
    await store(storage, 'c1/a2.png', 'image/png', Buffer.from('png'));

    const url = await storage.presignGet('c1/a1.pdf', 60);
    expect(url.startsWith(`${storage.publicUrl('c1/a1.pdf')}?`)).toBe(true);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(pdf);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe('attachment');
    expect(res.headers.get('cache-control')).toBe('private, max-age=300');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');

    // Not public, even for pictures; a forged signature, another key's signature or a later expiry open nothing.
    expect((await fetch(storage.publicUrl('c1/a2.png'))).status).toBe(403);
    expect((await fetch(url.replace(/signature=[^&]+/, 'signature=forged'))).status).toBe(403);
    const other = new URL(await storage.presignGet('c1/a2.png', 60));
    expect((await fetch(`${storage.publicUrl('c1/a1.pdf')}${other.search}`)).status).toBe(403);
    const expires = Number(new URL(url).searchParams.get('expires'));
    expect((await fetch(url.replace(/expires=\d+/, `expires=${expires + 3600}`))).status).toBe(403);
    // An upload URL is no download URL.
    const put = await storage.presignPut({ key: 'c1/a1.pdf', contentType: 'application/pdf', size: pdf.length, expiresInSeconds: 60 });
    expect((await fetch(put.url)).status).toBe(403);
  });

  it('refuses an expired GET URL, and answers 404 for a signed key with nothing stored', async () => {
    const storage = await serve('private');
    await store(storage, 'c2/a1.txt', 'text/plain', Buffer.from('hello'));
    expect((await fetch(await storage.presignGet('c2/a1.txt', -1))).status).toBe(403);
    expect((await fetch(await storage.presignGet('c2/missing.txt', 60))).status).toBe(404);
    await expect(storage.presignGet('../etc/passwd.txt', 60)).rejects.toThrow(/unsafe object key/);
  });

  it('keeps public pictures public (cached for good), and signed GETs work there too', async () => {
    const storage = await serve();
    await store(storage, 'avatars/u1/a.png', 'image/png', Buffer.from('png bytes'));
    const open = await fetch(storage.publicUrl('avatars/u1/a.png'));
    expect(open.status).toBe(200);
    expect(open.headers.get('content-type')).toBe('image/png');
    expect(open.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(open.headers.get('content-disposition')).toBeNull();
    const signed = await fetch(await storage.presignGet('avatars/u1/a.png', 60));
    expect(signed.status).toBe(200);
    expect(signed.headers.get('content-disposition')).toBe('attachment');
    // Only pictures are served publicly.
    await store(storage, 'docs/a.pdf', 'application/pdf', Buffer.from('%PDF'));
    expect((await fetch(storage.publicUrl('docs/a.pdf'))).status).toBe(404);
  });
});
