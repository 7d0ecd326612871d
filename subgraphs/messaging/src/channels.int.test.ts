import { createECDH, createHmac, createDecipheriv, createPublicKey, randomBytes, randomUUID, verify } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import nodePath from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import webpush from 'web-push';
import { InProcessEventBus, createLogger, type EventEnvelope, type Identity } from '@market/platform';
import { someone, startMessaging, until, type Messaging } from './testing/harness';

/**
 * The delivery channels against real protocol peers started here: an SMTP server (smtp-server), a
 * local fake of Twilio's Messages API, and a push endpoint that checks the VAPID signature and
 * decrypts the RFC 8291 payload with the "browser's" keys.
 */

interface Mail {
  to: string;
  raw: string;
}
const mails: Mail[] = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, session, callback) {
    let raw = '';
    stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    stream.on('end', () => {
      mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), raw });
      callback();
    });
  },
});

interface Sms {
  to: string;
  from: string;
  body: string;
  auth: string;
}
const texts: Sms[] = [];
/** Numbers the fake provider refuses for good (400) or fails once (500) before accepting. */
const REFUSED = '+15550000400';
const FLAKY = '+15550000500';
let flakyFailed = false;
const twilio = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    const form = new URLSearchParams(body);
    const to = form.get('To') ?? '';
    if (!req.url?.match(/^\/2010-04-01\/Accounts\/AC123\/Messages\.json$/)) return res.writeHead(404).end();
    if (to === REFUSED) return res.writeHead(400, { 'content-type': 'application/json' }).end('{"code":21211,"message":"invalid To"}');
    if (to === FLAKY && !flakyFailed) {
      flakyFailed = true;
      return res.writeHead(500).end('{"message":"try later"}');
    }
    texts.push({ to, from: form.get('From') ?? '', body: form.get('Body') ?? '', auth: req.headers.authorization ?? '' });
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sid: `SM${randomUUID()}` }));
  });
});

/** A browser's push keys: the private key stays here to decrypt what arrives. */
function browserKeys() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { ecdh, p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16) };
}
type Browser = ReturnType<typeof browserKeys>;
const browsers = new Map<string, Browser>();
const pushes: { path: string; payload: Record<string, unknown>; vapidOk: boolean }[] = [];

const hkdf = (salt: Buffer, ikm: Buffer, info: Buffer, length: number) => {
  const prk = createHmac('sha256', salt).update(ikm).digest();
  return createHmac('sha256', prk)
    .update(Buffer.concat([info, Buffer.from([1])]))
    .digest()
    .subarray(0, length);
};

/** RFC 8291 (aes128gcm) decryption, as a browser does it. */
function decrypt(body: Buffer, browser: Browser): string {
  const salt = body.subarray(0, 16);
  const idLength = body.readUInt8(20);
  const serverKey = body.subarray(21, 21 + idLength);
  const ciphertext = body.subarray(21 + idLength);
  const shared = browser.ecdh.computeSecret(serverKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), browser.ecdh.getPublicKey(), serverKey]);
  const ikm = hkdf(browser.auth, shared, keyInfo, 32);
  const cek = hkdf(salt, ikm, Buffer.from('Content-Encoding: aes128gcm\0'), 16);
  const nonce = hkdf(salt, ikm, Buffer.from('Content-Encoding: nonce\0'), 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  let end = padded.length - 1;
  while (end > 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('not the last record');
  return padded.subarray(0, end).toString('utf8');
}

/** Checks `Authorization: vapid t=<ES256 JWT>, k=<public key>` against the configured key and this origin. */
function vapidValid(header: string | undefined, origin: string, publicKey: string): boolean {
  const match = /^vapid t=([^,]+),\s*k=(.+)$/.exec(header ?? '');
  if (!match || match[2] !== publicKey) return false;
  const [h, p, s] = (match[1] as string).split('.');
  const raw = Buffer.from(publicKey, 'base64url');
  const key = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33, 65).toString('base64url') },
    format: 'jwk',
  });
  const claims = JSON.parse(Buffer.from(p as string, 'base64url').toString()) as { aud: string; exp: number };
  return (
    verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s as string, 'base64url')) &&
    claims.aud === origin &&
    claims.exp * 1000 > Date.now()
  );
}

const vapid = webpush.generateVAPIDKeys();
let pushOrigin = '';
/** Push services are HTTPS: a certificate for 127.0.0.1, self-signed, trusted through PUSH_CA_FILE. */
const certDir = mkdtempSync(nodePath.join(os.tmpdir(), 'push-tls-'));
execFileSync(
  'openssl',
  [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    nodePath.join(certDir, 'key.pem'),
    '-out',
    nodePath.join(certDir, 'cert.pem'),
  ],
  { stdio: 'ignore' },
);
const pushService = https.createServer(
  { key: readFileSync(nodePath.join(certDir, 'key.pem')), cert: readFileSync(nodePath.join(certDir, 'cert.pem')) },
  (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      if (path.startsWith('/gone')) return res.writeHead(410).end();
      const browser = browsers.get(path);
      if (!browser || req.headers['content-encoding'] !== 'aes128gcm') return res.writeHead(400).end();
      pushes.push({
        path,
        payload: JSON.parse(decrypt(Buffer.concat(chunks), browser)) as Record<string, unknown>,
        vapidOk: vapidValid(req.headers.authorization, pushOrigin, vapid.publicKey),
      });
      res.writeHead(201).end();
    });
  },
);

const listen = (server: {
  listen: (port: number, host: string, cb: () => void) => unknown;
  address: () => AddressInfo | string | null;
}): Promise<number> =>
  new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

let m: Messaging;
let bus: InProcessEventBus;
beforeAll(async () => {
  const [smtpPort, twilioPort, pushPort] = [
    await listen(smtp.server as unknown as http.Server),
    await listen(twilio),
    await listen(pushService),
  ];
  pushOrigin = `https://127.0.0.1:${pushPort}`;
  bus = new InProcessEventBus(createLogger('bus', 'silent'), { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 });
  m = await startMessaging({
    bus,
    env: {
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      MAIL_FROM: 'Market <no-reply@market.test>',
      SMS_API_URL: `http://127.0.0.1:${twilioPort}`,
      SMS_ACCOUNT_SID: 'AC123',
      SMS_AUTH_TOKEN: 'secret-token',
      SMS_FROM: '+15550009999',
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      VAPID_SUBJECT: 'mailto:ops@market.test',
      PUSH_CA_FILE: nodePath.join(certDir, 'cert.pem'),
      APP_URL: 'https://app.market.test',
      DIGEST_HOUR: '0',
    },
  });
});
afterAll(async () => {
  await m?.close();
  await bus?.close();
  await new Promise((r) => smtp.close(() => r(undefined)));
  twilio.close();
  pushService.close();
});

type Data = Record<string, any>;
async function ok(as: Identity, query: string, variables?: Record<string, unknown>): Promise<Data> {
  const res = await m.call<Data>(as, query, variables);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data as Data;
}

async function person(email: string): Promise<Identity> {
  const user = someone();
  await m.db.knownUser.create({ data: { userId: user.userId, name: 'Pat', role: 'BUYER', email, lastEventAt: new Date() } });
  return user;
}

async function verifyPhone(user: Identity, phone: string): Promise<void> {
  const sent = await ok(user, `mutation($p: String!) { setPhoneNumber(phone: $p) { __typename } }`, { p: phone });
  if (phone === REFUSED) {
    expect(sent['setPhoneNumber']['__typename']).toBe('PhoneNumberRejected');
    // A number the provider accepted once and refuses later: mark it verified (the refusal under test is the notification's).
    await m.db.channelSettings.update({ where: { userId: user.userId }, data: { phoneVerifiedAt: new Date() } });
    return;
  }
  expect(sent['setPhoneNumber']['__typename']).toBe('PhoneCodeSent');
  await until(() => texts.some((t) => t.to === phone));
  const code = /\b(\d{6})\b/.exec(texts.filter((t) => t.to === phone).at(-1)!.body)![1]!;
  const wrong = await ok(user, `mutation { verifyPhoneNumber(code: "000000") { __typename ... on WrongPhoneCode { attemptsLeft } } }`);
  expect(wrong['verifyPhoneNumber']).toEqual({ __typename: 'WrongPhoneCode', attemptsLeft: 4 });
  const verified = await ok(user, `mutation($c: String!) { verifyPhoneNumber(code: $c) { __typename ... on PhoneVerified { phone } } }`, {
    c: code,
  });
  expect(verified['verifyPhoneNumber']).toEqual({ __typename: 'PhoneVerified', phone });
}

function stayConfirmed(guest: Identity): EventEnvelope<'bookings.stay.confirmed'> {
  return {
    id: randomUUID(),
    type: 'bookings.stay.confirmed',
    version: 1,
    aggregateId: randomUUID(),
    occurredAt: new Date().toISOString(),
    payload: {
      stayId: randomUUID(),
      listingId: randomUUID(),
      listingTitle: 'Loft by the river',
      hostId: randomUUID(),
      guestId: guest.userId,
      checkIn: '2031-05-01',
      checkOut: '2031-05-04',
      nights: 3,
      guests: 2,
      totalPrice: '420.00',
      currency: 'EUR',
      instantBook: false,
    },
  };
}

const DELIVERIES = `{ myNotifications { title deliveries { channel status attempts error } } }`;

describe('delivery channels', () => {
  it('sends a notification once per channel: e-mail over SMTP with an unsubscribe link, SMS to a verified number, encrypted web push', async () => {
    const guest = await person('pat@example.test');
    await ok(guest, `mutation { setNotificationPreference(kind: BOOKING, channel: SMS, mode: IMMEDIATE) { mode isDefault } }`);
    await verifyPhone(guest, '+4915112345678');
    const browser = browserKeys();
    const path = `/push/${randomUUID()}`;
    browsers.set(path, browser);
    await ok(guest, `mutation($i: PushSubscriptionInput!) { registerPushSubscription(input: $i) { id } }`, {
      i: { endpoint: `${pushOrigin}${path}`, p256dh: browser.p256dh, auth: browser.auth.toString('base64url') },
    });

    const event = stayConfirmed(guest);
    await bus.publish([event, event]);
    await bus.drain();
    await until(async () => (await m.db.delivery.count({ where: { userId: guest.userId, status: 'SENT' } })) === 3, 15_000);

    const mail = mails.find((x) => x.to === 'pat@example.test');
    expect(mail?.raw).toContain('Subject: Your stay at Loft by the river is confirmed');
    const headers = mail!.raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
    const listUnsubscribe = /List-Unsubscribe: <https:\/\/app\.market\.test\/unsubscribe\?token=([A-Za-z0-9_-]+)>/.exec(headers);
    expect(listUnsubscribe).not.toBeNull();
    expect(headers).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    const sms = texts.filter((t) => t.to === '+4915112345678').at(-1);
    expect(sms).toMatchObject({ from: '+15550009999', auth: `Basic ${Buffer.from('AC123:secret-token').toString('base64')}` });
    expect(sms?.body).toContain('Your stay at Loft by the river is confirmed');
    expect(pushes.filter((p) => p.path === path)).toEqual([
      { path, vapidOk: true, payload: expect.objectContaining({ kind: 'BOOKING', title: 'Your stay at Loft by the river is confirmed' }) },
    ]);
    const seen = await ok(guest, DELIVERIES);
    expect(seen['myNotifications'][0].deliveries).toEqual([
      { channel: 'EMAIL', status: 'SENT', attempts: 1, error: null },
      { channel: 'PUSH', status: 'SENT', attempts: 1, error: null },
      { channel: 'SMS', status: 'SENT', attempts: 1, error: null },
    ]);
    // The unsubscribe link turns that kind's e-mail off.
    const token = listUnsubscribe![1];
    expect(await ok(someone(), `mutation($t: String!) { unsubscribe(token: $t) }`, { t: token })).toEqual({ unsubscribe: true });
    const prefs = (await ok(guest, `{ myNotificationSettings { phoneVerified preferences { kind channel mode isDefault } } }`))[
      'myNotificationSettings'
    ];
    expect(prefs.phoneVerified).toBe(true);
    expect(prefs.preferences).toContainEqual({ kind: 'BOOKING', channel: 'EMAIL', mode: 'OFF', isDefault: false });
    expect(codeOf(await m.call(null, `mutation { unsubscribe(token: "forged") }`))).toBe('BAD_USER_INPUT');
  });

  it('records permanent failures, retries provider errors with backoff, forgets push subscriptions that are gone', async () => {
    const refused = await person('nobody@example.test');
    await ok(refused, `mutation { setNotificationPreference(kind: BOOKING, channel: SMS, mode: IMMEDIATE) { mode } }`);
    await ok(refused, `mutation { setNotificationPreference(kind: BOOKING, channel: EMAIL, mode: OFF) { mode } }`);
    await verifyPhone(refused, REFUSED);
    await ok(refused, `mutation($i: PushSubscriptionInput!) { registerPushSubscription(input: $i) { id } }`, {
      i: { endpoint: `${pushOrigin}/gone/${randomUUID()}`, p256dh: browserKeys().p256dh, auth: randomBytes(16).toString('base64url') },
    });
    await deliver(stayConfirmed(refused));
    await until(async () => (await m.db.delivery.count({ where: { userId: refused.userId, status: 'FAILED' } })) === 2, 15_000);
    const failed = (await ok(refused, DELIVERIES))['myNotifications'][0].deliveries;
    expect(failed).toEqual([
      { channel: 'PUSH', status: 'FAILED', attempts: 1, error: 'every device refused the push' },
      { channel: 'SMS', status: 'FAILED', attempts: 1, error: expect.stringContaining('SMS provider 400') },
    ]);
    expect(await m.db.pushSubscription.count({ where: { userId: refused.userId } })).toBe(0);

    const flaky = await person('flaky@example.test');
    await ok(flaky, `mutation { setNotificationPreference(kind: BOOKING, channel: SMS, mode: IMMEDIATE) { mode } }`);
    await m.db.channelSettings.create({ data: { userId: flaky.userId, phone: FLAKY, phoneVerifiedAt: new Date() } });
    await deliver(stayConfirmed(flaky));
    await until(
      async () =>
        (await m.db.delivery.findFirst({ where: { userId: flaky.userId, channel: 'SMS', attempts: 1, status: 'PENDING' } })) !== null,
      15_000,
    );
    const waiting = await m.db.delivery.findFirstOrThrow({ where: { userId: flaky.userId, channel: 'SMS' } });
    expect(waiting.lastError).toContain('SMS provider 500');
    expect(waiting.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 20_000);
    // Time passes: the retry goes through.
    await m.db.delivery.update({ where: { id: waiting.id }, data: { nextAttemptAt: new Date() } });
    await until(async () => (await m.db.delivery.findUniqueOrThrow({ where: { id: waiting.id } })).status === 'SENT', 15_000);
    expect(texts.filter((t) => t.to === FLAKY)).toHaveLength(1);
  });

  it('holds deliveries during quiet hours, and needs a verified phone for SMS', async () => {
    const sleeper = await person('sleeper@example.test');
    const now = new Date();
    const hhmm = (d: Date) => `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
    await ok(sleeper, `mutation($i: QuietHoursInput!) { setQuietHours(input: $i) { quietHours { start end } } }`, {
      i: { start: hhmm(new Date(now.getTime() - 3_600_000)), end: hhmm(new Date(now.getTime() + 3_600_000)), timeZone: 'UTC' },
    });
    await ok(sleeper, `mutation { setNotificationPreference(kind: BOOKING, channel: SMS, mode: IMMEDIATE) { mode } }`);
    await deliver(stayConfirmed(sleeper));
    const held = await m.db.delivery.findFirstOrThrow({ where: { userId: sleeper.userId, channel: 'EMAIL' } });
    expect(held.status).toBe('PENDING');
    expect(held.nextAttemptAt.getTime()).toBeGreaterThan(now.getTime() + 55 * 60_000);
    // Without a verified phone the SMS delivery is skipped, with the reason, once due.
    const sms = await m.db.delivery.findFirstOrThrow({ where: { userId: sleeper.userId, channel: 'SMS' } });
    await m.db.delivery.update({ where: { id: sms.id }, data: { nextAttemptAt: new Date() } });
    await until(async () => (await m.db.delivery.findUniqueOrThrow({ where: { id: sms.id } })).status === 'SKIPPED', 15_000);
    expect((await m.db.delivery.findUniqueOrThrow({ where: { id: sms.id } })).lastError).toBe('no verified phone number');
  });

  it('mails one daily digest with everything unread of the digest kinds', async () => {
    const reader = await person('digest@example.test');
    for (const title of ['Price drop on Loft', 'Loft is under offer']) {
      await m.db.notification.create({ data: { recipientId: reader.userId, kind: 'LISTING', title, body: 'See the listing.' } });
    }
    // The digest job looks every 5 minutes: run its turn now (the delivery job sends within a second).
    await m.scheduler()?.runNow('messaging.digests');
    await until(() => mails.some((x) => x.to === 'digest@example.test'), 15_000);
    const digest = mails.filter((x) => x.to === 'digest@example.test');
    expect(digest).toHaveLength(1);
    expect(digest[0]!.raw).toContain('Subject: Your daily digest: 2 unread');
    expect(digest[0]!.raw).toContain('Price drop on Loft');
    await m.scheduler()?.runNow('messaging.digests');
    await m.scheduler()?.runNow('messaging.deliveries');
    expect(mails.filter((x) => x.to === 'digest@example.test')).toHaveLength(1);
  }, 120_000);
});

async function deliver(event: EventEnvelope): Promise<void> {
  await bus.publish([event]);
  await bus.drain();
}

function codeOf(response: { errors?: { extensions?: Record<string, unknown> }[] }): unknown {
  return response.errors?.[0]?.extensions?.['code'];
}
