import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { InProcessEventBus, createLogger, type EventEnvelope, type Identity } from '@market/platform';
import { codeOf, someone, startConversation, startMessaging, type Messaging } from './testing/harness';

/** Files sent with messages (#15): upload to a signed URL, send, read back as a member, limits, erasure. */
let m: Messaging;
let bus: InProcessEventBus;
beforeAll(async () => {
  bus = new InProcessEventBus(createLogger('bus', 'silent'), { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 });
  m = await startMessaging({ bus, env: { ATTACHMENT_MAX_BYTES: '2048' } });
});
afterAll(async () => {
  await m?.close();
  await bus?.close();
});

const UPLOAD = /* GraphQL */ `
  mutation Upload($c: ID!, $name: String!, $type: String!, $size: Int!) {
    createAttachmentUpload(conversationId: $c, fileName: $name, contentType: $type, size: $size) {
      attachment {
        id
        fileName
        contentType
        size
      }
      uploadUrl
      method
      headers {
        name
        value
      }
      expiresAt
    }
  }
`;
const SEND = /* GraphQL */ `
  mutation Send($c: ID!, $body: String!, $files: [ID!]) {
    sendMessage(conversationId: $c, body: $body, attachmentIds: $files) {
      id
      attachments {
        id
      }
    }
  }
`;
const THREAD = /* GraphQL */ `
  query Thread($id: ID!) {
    conversation(id: $id) {
      messages {
        body
        attachments {
          id
          fileName
          contentType
          size
          url
        }
      }
    }
  }
`;

interface Upload {
  attachment: { id: string; fileName: string; contentType: string; size: number };
  uploadUrl: string;
  method: string;
  headers: { name: string; value: string }[];
}
type Thread = {
  conversation: {
    messages: { body: string; attachments: { id: string; fileName: string; contentType: string; size: number; url: string }[] }[];
  } | null;
};

async function upload(as: Identity, conversationId: string, name: string, type: string, bytes: Buffer): Promise<Upload> {
  const res = await m.call<{ createAttachmentUpload: Upload }>(as, UPLOAD, { c: conversationId, name, type, size: bytes.length });
  if (!res.data?.createAttachmentUpload) throw new Error(JSON.stringify(res.errors));
  return res.data.createAttachmentUpload;
}

const put = (u: Upload, bytes: Buffer, headers: Record<string, string> = {}) =>
  fetch(u.uploadUrl, {
    method: u.method,
    headers: { ...Object.fromEntries(u.headers.map((h) => [h.name, h.value])), ...headers },
    body: bytes,
  });

describe('message attachments', () => {
  it('lets a member upload a file, send it with a message, and every member download it', async () => {
    const [ana, ben] = [someone(), someone()];
    const pair = await startConversation(m, ana, [ben]);
    const png = Buffer.from('\x89PNG fake picture bytes');
    const pdf = Buffer.from('%PDF-1.7 a floor plan');
    const picture = await upload(ana, pair.id, 'kitchen.png', 'image/png', png);
    const plan = await upload(ana, pair.id, 'plan.pdf', 'application/pdf', pdf);
    expect(picture.attachment).toEqual({ id: expect.any(String), fileName: 'kitchen.png', contentType: 'image/png', size: png.length });
    expect((await put(picture, png)).status).toBe(200);
    expect((await put(plan, pdf)).status).toBe(200);

    const sent = await m.call<{ sendMessage: { attachments: { id: string }[] } }>(ana, SEND, {
      c: pair.id,
      body: 'The kitchen and the plan',
      files: [picture.attachment.id, plan.attachment.id],
    });
    expect(sent.errors).toBeUndefined();
    expect(sent.data?.sendMessage.attachments.map((a) => a.id)).toEqual([picture.attachment.id, plan.attachment.id]);

    const thread = (await m.call<Thread>(ben, THREAD, { id: pair.id })).data?.conversation;
    const files = thread?.messages.find((msg) => msg.body === 'The kitchen and the plan')?.attachments ?? [];
    expect(files.map(({ url: _url, ...f }) => f)).toEqual([
      { id: picture.attachment.id, fileName: 'kitchen.png', contentType: 'image/png', size: png.length },
      { id: plan.attachment.id, fileName: 'plan.pdf', contentType: 'application/pdf', size: pdf.length },
    ]);
    const download = await fetch(files[1]!.url);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(pdf);
    expect(download.headers.get('content-disposition')).toBe('attachment');
    // The link is signed: changed, it opens nothing.
    expect((await fetch(files[1]!.url.replace(/signature=[^&]+/, 'signature=forged'))).status).toBe(403);
    // The store is private: the file's address without a signature opens nothing either.
    expect((await fetch(files[1]!.url.split('?')[0]!)).status).toBe(403);
    // Nobody outside the conversation reads the thread, so nobody else gets a link.
    expect((await m.call<Thread>(someone(), THREAD, { id: pair.id })).data?.conversation ?? null).toBeNull();
  });

  it("refuses other types, files over the limit, outsiders, unfinished uploads, someone else's or already sent files, and a wrong body", async () => {
    const [ana, ben, eve] = [someone(), someone(), someone()];
    const pair = await startConversation(m, ana, [ben]);
    const other = await startConversation(m, ana, [eve]);
    const ask = (as: Identity, c: string, type: string, size: number) => m.call(as, UPLOAD, { c, name: 'f', type, size });

    expect(codeOf(await ask(ana, pair.id, 'application/x-msdownload', 10))).toBe('BAD_USER_INPUT');
    expect(codeOf(await ask(ana, pair.id, 'image/png', 2049))).toBe('BAD_USER_INPUT');
    expect(codeOf(await ask(ana, pair.id, 'image/png', 0))).toBe('BAD_USER_INPUT');
    expect(codeOf(await ask(eve, pair.id, 'image/png', 10))).toBe('FORBIDDEN');
    expect(codeOf(await ask(ana, randomUUID(), 'image/png', 10))).toBe('NOT_FOUND');

    const bytes = Buffer.from('0123456789');
    const pending = await upload(ana, pair.id, 'a.txt', 'text/plain', bytes);
    const send = (as: Identity, c: string, files: string[]) => m.call(as, SEND, { c, body: 'see file', files });
    // Not uploaded yet: nothing is sent.
    expect(codeOf(await send(ana, pair.id, [pending.attachment.id]))).toBe('BAD_USER_INPUT');
    // The body must be what was signed.
    expect((await put(pending, Buffer.from('01234'))).status).toBe(400);
    expect((await put(pending, bytes, { 'Content-Type': 'image/png' })).status).toBe(400);
    expect((await put(pending, bytes)).status).toBe(200);
    expect((await put(pending, bytes)).status).toBe(409);
    // Someone else's upload, or one for another conversation.
    expect(codeOf(await send(ben, pair.id, [pending.attachment.id]))).toBe('BAD_USER_INPUT');
    expect(codeOf(await send(ana, other.id, [pending.attachment.id]))).toBe('BAD_USER_INPUT');
    expect(await m.db.message.count({ where: { body: 'see file' } })).toBe(0);

    expect((await send(ana, pair.id, [pending.attachment.id])).errors).toBeUndefined();
    // Sent once only.
    expect(codeOf(await send(ana, pair.id, [pending.attachment.id]))).toBe('BAD_USER_INPUT');
    expect(await m.db.message.count({ where: { body: 'see file' } })).toBe(1);
  });

  it("forgets a deleted user's files with their words", async () => {
    const [ana, ben] = [someone(), someone()];
    const pair = await startConversation(m, ana, [ben]);
    const bytes = Buffer.from('my passport scan');
    const file = await upload(ana, pair.id, 'passport.png', 'image/png', bytes);
    await put(file, bytes);
    await m.call(ana, SEND, { c: pair.id, body: 'here', files: [file.attachment.id] });
    await upload(ana, pair.id, 'unsent.png', 'image/png', bytes);

    const deleted: EventEnvelope<'accounts.user.deleted'> = {
      id: randomUUID(),
      type: 'accounts.user.deleted',
      version: 1,
      aggregateId: ana.userId,
      occurredAt: new Date().toISOString(),
      payload: { userId: ana.userId },
    };
    await bus.publish([deleted]);
    await bus.drain();

    const thread = (await m.call<Thread>(ben, THREAD, { id: pair.id })).data?.conversation;
    expect(thread?.messages.flatMap((msg) => msg.attachments)).toEqual([]);
    expect(await m.db.messageAttachment.count({ where: { uploaderId: ana.userId } })).toBe(0);
  });
});

/**
 * With S3_BUCKET set, attachments go to S3 (any number of messaging replicas): pre-signed PUT and
 * GetObject URLs against an S3-compatible endpoint that records what it is asked (pre-signing itself
 * needs no network), and no local store is mounted.
 */
describe('message attachments in S3', () => {
  const requests: string[] = [];
  let s3: http.Server;
  let endpoint: string;
  let inS3: Messaging;
  const saved = { ...process.env };
  beforeAll(async () => {
    // The SDK's default credential chain reads these; no instance metadata is asked for.
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIDTESTTESTTEST',
      AWS_SECRET_ACCESS_KEY: 'test-secret-key-test-secret-key',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    s3 = http.createServer((req, res) => {
      requests.push(`${req.method} ${(req.url ?? '').split('?')[0]}`);
      res.statusCode = req.method === 'HEAD' ? 200 : 404;
      res.end();
    });
    await new Promise<void>((resolve) => s3.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(s3.address() as AddressInfo).port}`;
    inS3 = await startMessaging({
      bus,
      env: { ATTACHMENT_MAX_BYTES: '2048', S3_BUCKET: 'market-attachments', S3_REGION: 'eu-west-1', S3_ENDPOINT: endpoint },
    });
  });
  afterAll(async () => {
    await inS3?.close();
    await new Promise((resolve) => s3?.close(resolve));
    process.env = saved;
  });

  it('hands out pre-signed PUT and GET URLs of the private bucket, and asks S3 whether the upload arrived', async () => {
    const [ana, ben] = [someone(), someone()];
    const pair = await startConversation(inS3, ana, [ben]);
    const res = await inS3.call<{ createAttachmentUpload: Upload }>(ana, UPLOAD, {
      c: pair.id,
      name: 'plan.pdf',
      type: 'application/pdf',
      size: 100,
    });
    const u = res.data?.createAttachmentUpload;
    if (!u) throw new Error(JSON.stringify(res.errors));
    const key = `${pair.id}/${u.attachment.id}.pdf`;
    const putUrl = new URL(u.uploadUrl);
    expect(`${putUrl.origin}${putUrl.pathname}`).toBe(`${endpoint}/market-attachments/${key}`);
    expect(putUrl.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual(expect.arrayContaining(['content-length', 'content-type']));
    expect(u.headers).toEqual([{ name: 'Content-Type', value: 'application/pdf' }]);

    const sent = await inS3.call(ana, SEND, { c: pair.id, body: 'the plan', files: [u.attachment.id] });
    expect(sent.errors).toBeUndefined();
    const thread = (await inS3.call<Thread>(ben, THREAD, { id: pair.id })).data?.conversation;
    const url = new URL(thread?.messages[0]?.attachments[0]?.url ?? '');
    expect(`${url.origin}${url.pathname}`).toBe(`${endpoint}/market-attachments/${key}`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('response-content-disposition')).toBe('attachment');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    // S3 was asked only whether the upload arrived; no local store answers on messaging's own port.
    expect(requests).toEqual([`HEAD /market-attachments/${key}`]);
    expect((await fetch(`${inS3.url.replace(/\/graphql$/, '')}/uploads/${key}`)).status).toBe(404);
  });
});
