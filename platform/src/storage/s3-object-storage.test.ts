import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3ObjectStorage } from './s3-object-storage';

/**
 * The production object store with the real AWS SDK, pointed at a local S3-compatible endpoint that
 * records the requests it gets (as MinIO or R2 would be reached: path-style). Pre-signing happens
 * in the SDK, without the network.
 */
describe('S3ObjectStorage', () => {
  const requests: { method: string; url: string }[] = [];
  const stored = new Set<string>();
  let server: http.Server;
  let endpoint: string;
  let storage: S3ObjectStorage;

  beforeAll(async () => {
    // The SDK's default credential chain reads these; no instance metadata is asked for.
    process.env['AWS_ACCESS_KEY_ID'] = 'AKIDTESTTESTTEST';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'test-secret-key-test-secret-key';
    process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
    server = http.createServer((req, res) => {
      requests.push({ method: req.method ?? '', url: req.url ?? '' });
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (req.method === 'HEAD') res.statusCode = stored.has(path) ? 200 : 404;
      else if (req.method === 'DELETE') {
        stored.delete(path);
        res.statusCode = 204;
      }
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    storage = await S3ObjectStorage.create({
      bucket: 'avatars-bucket',
      region: 'eu-west-1',
      endpoint,
      publicUrl: 'https://cdn.example.com/',
    });
  });

  afterAll(async () => {
    storage.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('pre-signs a PUT that pins the content type and the exact size, path-style on the endpoint', async () => {
    const before = Date.now();
    const upload = await storage.presignPut({ key: 'avatars/u1/a.png', contentType: 'image/png', size: 1234, expiresInSeconds: 600 });
    const url = new URL(upload.url);
    expect(`${url.origin}${url.pathname}`).toBe(`${endpoint}/avatars-bucket/avatars/u1/a.png`);
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('600');
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual(
      expect.arrayContaining(['content-length', 'content-type', 'host']),
    );
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^AKIDTESTTESTTEST\/\d{8}\/eu-west-1\/s3\/aws4_request$/);
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    // No checksum of an empty body is signed in: the real upload would be refused.
    expect([...url.searchParams.keys()].filter((k) => /checksum/i.test(k))).toEqual([]);
    expect(upload).toMatchObject({ method: 'PUT', headers: { 'Content-Type': 'image/png' } });
    expect(upload.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 600_000);
    // Pre-signing asked nothing of the store.
    expect(requests).toEqual([]);
  });

  it('pre-signs a private GET on the bucket itself (not the public URL), answered as a download', async () => {
    const url = new URL(await storage.presignGet('attachments/c1/a1.pdf', 300));
    expect(`${url.origin}${url.pathname}`).toBe(`${endpoint}/avatars-bucket/attachments/c1/a1.pdf`);
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^AKIDTESTTESTTEST\/\d{8}\/eu-west-1\/s3\/aws4_request$/);
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(url.searchParams.get('response-content-disposition')).toBe('attachment');
    // Signed for one key: another key gets another signature.
    const other = new URL(await storage.presignGet('attachments/c1/a2.pdf', 300));
    expect(other.searchParams.get('X-Amz-Signature')).not.toBe(url.searchParams.get('X-Amz-Signature'));
    await expect(storage.presignGet('../secrets.pdf', 300)).rejects.toThrow(/unsafe object key/);
    expect(requests).toEqual([]);
  });

  it('reads avatars from the public URL, and knows only its own keys', () => {
    expect(storage.publicUrl('avatars/u1/a.png')).toBe('https://cdn.example.com/avatars/u1/a.png');
    expect(storage.keyOf('https://cdn.example.com/avatars/u1/a.png')).toBe('avatars/u1/a.png');
    expect(storage.keyOf('https://elsewhere.example.com/avatars/u1/a.png')).toBeNull();
    expect(storage.keyOf('https://cdn.example.com/avatars/../secrets.png')).toBeNull();
  });

  it('asks the store whether an upload arrived, and removes old avatars', async () => {
    stored.add('/avatars-bucket/avatars/u1/b.png');
    expect(await storage.exists('avatars/u1/b.png')).toBe(true);
    expect(await storage.exists('avatars/u1/missing.png')).toBe(false);
    await storage.remove('avatars/u1/b.png');
    expect(await storage.exists('avatars/u1/b.png')).toBe(false);
    expect(requests.map((r) => `${r.method} ${r.url.split('?')[0]}`)).toEqual([
      'HEAD /avatars-bucket/avatars/u1/b.png',
      'HEAD /avatars-bucket/avatars/u1/missing.png',
      'DELETE /avatars-bucket/avatars/u1/b.png',
      'HEAD /avatars-bucket/avatars/u1/b.png',
    ]);
  });
});
