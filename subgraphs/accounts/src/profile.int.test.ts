import { PASSWORD, REFRESH, SIGN_IN, call, outboxEvents, signUp, startAccounts, verifiedUser, type Harness } from './testing/harness';

const UPDATE = `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id name phone bio avatarUrl } }`;
const UPLOAD = `mutation($type: String!, $size: Int!) { createAvatarUpload(contentType: $type, size: $size) {
  uploadUrl method headers { name value } avatarUrl expiresAt } }`;
const DELETE = `mutation($p: String!) { deleteAccount(password: $p) { __typename ... on AccountDeleted { message } ... on InvalidCredentials { message } } }`;
const PROFILE = `query($id: ID!) { user(id: $id) { id name phone bio avatarUrl } }`;

/** The smallest PNG there is: one transparent pixel. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

describe('accounts subgraph: profiles, avatars and deleting an account', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startAccounts();
  });
  afterAll(async () => {
    await h.close();
  });

  const put = (
    upload: { uploadUrl: string; headers: { name: string; value: string }[] },
    body: Buffer,
    headers: Record<string, string> = {},
  ) =>
    fetch(upload.uploadUrl, {
      method: 'PUT',
      headers: { ...Object.fromEntries(upload.headers.map((x) => [x.name, x.value])), ...headers },
      body,
    });

  describe('updateProfile', () => {
    it('changes only the fields given; null clears phone and bio', async () => {
      const user = await verifiedUser(h, { phone: '+1 555 0100' });
      const res = await call(h, UPDATE, { input: { name: '  Ada King  ', bio: 'Counts things.' } }, { identity: user.identity });
      expect(res.data.updateProfile).toEqual({
        id: user.id,
        name: 'Ada King',
        phone: '+1 555 0100',
        bio: 'Counts things.',
        avatarUrl: null,
      });
      const cleared = await call(h, UPDATE, { input: { phone: null, bio: null } }, { identity: user.identity });
      expect(cleared.data.updateProfile).toMatchObject({ name: 'Ada King', phone: null, bio: null });
      expect((await call(h, PROFILE, { id: user.id })).data.user).toMatchObject({ name: 'Ada King', bio: null });
    });

    it('refuses bad input with BAD_USER_INPUT and writes nothing', async () => {
      const user = await verifiedUser(h);
      for (const input of [
        { name: null },
        { name: '' },
        { bio: 'x'.repeat(501) },
        { phone: 'call me' },
        { avatarUrl: 'https://evil.example/a.png' },
      ]) {
        const res = await call(h, UPDATE, { input }, { identity: user.identity });
        expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      }
      expect((await call(h, PROFILE, { id: user.id })).data.user).toMatchObject({ name: 'Ada Lovelace', bio: null, avatarUrl: null });
    });

    it('needs a signed-in caller, and only ever changes the caller', async () => {
      expect((await call(h, UPDATE, { input: { name: 'X' } })).errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    });
  });

  describe('avatars', () => {
    it('uploads with a pre-signed PUT, then serves the picture and sets it on the profile', async () => {
      const user = await verifiedUser(h);
      const res = await call(h, UPLOAD, { type: 'image/png', size: PNG.length }, { identity: user.identity });
      expect(res.errors).toBeUndefined();
      const upload = res.data.createAvatarUpload;
      expect(upload).toMatchObject({ method: 'PUT', headers: [{ name: 'Content-Type', value: 'image/png' }] });
      expect(upload.avatarUrl).toMatch(new RegExp(`/uploads/avatars/${user.id}/[0-9a-f-]{36}\\.png$`));

      // Not there yet: the profile refuses it.
      expect(
        (await call(h, UPDATE, { input: { avatarUrl: upload.avatarUrl } }, { identity: user.identity })).errors?.[0]?.extensions?.['code'],
      ).toBe('BAD_USER_INPUT');
      expect((await put(upload, PNG)).status).toBe(200);
      expect((await put(upload, PNG)).status).toBe(409);

      const served = await fetch(upload.avatarUrl);
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toBe('image/png');
      expect(served.headers.get('x-content-type-options')).toBe('nosniff');
      expect(Buffer.from(await served.arrayBuffer()).equals(PNG)).toBe(true);

      const set = await call(h, UPDATE, { input: { avatarUrl: upload.avatarUrl } }, { identity: user.identity });
      expect(set.data.updateProfile.avatarUrl).toBe(upload.avatarUrl);

      // Another user cannot put this picture on their profile.
      const other = await verifiedUser(h);
      expect(
        (await call(h, UPDATE, { input: { avatarUrl: upload.avatarUrl } }, { identity: other.identity })).errors?.[0]?.extensions?.['code'],
      ).toBe('BAD_USER_INPUT');
    });

    it('refuses uploads that do not match what was signed', async () => {
      const user = await verifiedUser(h);
      const upload = (await call(h, UPLOAD, { type: 'image/png', size: PNG.length }, { identity: user.identity })).data.createAvatarUpload;
      expect((await put(upload, Buffer.concat([PNG, PNG]))).status).toBe(400);
      expect((await put(upload, PNG, { 'Content-Type': 'text/html' })).status).toBe(400);
      expect((await put({ ...upload, uploadUrl: upload.uploadUrl.replace('size=', 'size=9') }, PNG)).status).toBe(403);
      const forged = upload.uploadUrl.replace(/signature=[^&]+/, 'signature=AAAA');
      expect((await put({ ...upload, uploadUrl: forged }, PNG)).status).toBe(403);
      expect((await fetch(upload.avatarUrl)).status).toBe(404);
    });

    it('refuses other types and sizes with BAD_USER_INPUT', async () => {
      const user = await verifiedUser(h);
      for (const [type, size] of [
        ['image/svg+xml', 100],
        ['text/html', 100],
        ['image/png', 0],
        ['image/png', 6 * 1024 * 1024],
      ] as const) {
        const res = await call(h, UPLOAD, { type, size }, { identity: user.identity });
        expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      }
    });
  });

  describe('deleteAccount', () => {
    it('needs the password; then erases personal data, ends sessions, frees the address and tells other services', async () => {
      const user = await verifiedUser(h, { phone: '+1 555 0100' });
      await call(h, UPDATE, { input: { bio: 'Soon gone.' } }, { identity: user.identity });
      const wrong = await call(h, DELETE, { p: 'not the password' }, { identity: user.identity });
      expect(wrong.data.deleteAccount.__typename).toBe('InvalidCredentials');

      const deleted = await call(h, DELETE, { p: PASSWORD }, { identity: user.identity });
      expect(deleted.data.deleteAccount).toEqual({ __typename: 'AccountDeleted', message: expect.any(String) });

      expect((await call(h, PROFILE, { id: user.id })).data.user).toEqual({
        id: user.id,
        name: 'Deleted user',
        phone: null,
        bio: null,
        avatarUrl: null,
      });
      const { rows } = await h.db.query(`SELECT email, phone, bio, status FROM users WHERE id = $1`, [user.id]);
      expect(rows[0]).toEqual({ email: `deleted-${user.id}@deleted.invalid`, phone: null, bio: null, status: 'DELETED' });
      expect((await h.db.query(`SELECT count(*)::int AS n FROM sessions WHERE user_id = $1`, [user.id])).rows[0].n).toBe(0);
      expect((await h.db.query(`SELECT count(*)::int AS n FROM dev_outbox WHERE recipient = $1`, [user.email])).rows[0].n).toBe(0);

      expect((await call(h, REFRESH, { t: user.refreshToken })).data.refreshSession.__typename).toBe('InvalidRefreshToken');
      expect((await call(h, SIGN_IN, { input: { email: user.email, password: PASSWORD } })).data.signIn.__typename).toBe(
        'InvalidCredentials',
      );
      expect((await outboxEvents(h, user.id)).map((e) => e.type)).toContain('accounts.user.deleted');
      expect((await signUp(h, { email: user.email })).res.data.signUp.__typename).toBe('VerificationSent');
    });
  });
});
