import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, SUBGRAPH_NAMES } from '@market/platform';
import { testSecrets } from '@market/platform/testing';
import { SUPERGRAPH_PATH } from '@market/gateway';
import { loadGatewayEnv } from '@market/gateway';
import { createGateway, type GatewayServer } from '@market/gateway';
import { startTestStack, type TestStack } from '../src/testing/stack';
import { subscribe } from '../src/testing/ws';

const FEED_LITERALS = `{ feed(first: 100) { edges { node { id body comments(first: 100) { edges { node { id body author { id } } } } } } } }`;
// The feed of the shared test databases holds comments by users accounts never knew (the integration
// suites write them): the executed query asks for author ids only, which need no accounts fetch.
const FEED_VARIABLES = `query($posts: Int, $comments: Int) { feed(first: $posts) { edges { node { id body comments(first: $comments) { edges { node { id body author { id } } } } } } } }`;
const FEED_DEFAULTS = `query($posts: Int = 100, $comments: Int = 100) { feed(first: $posts) { edges { node { id body comments(first: $comments) { edges { node { id body author { id } } } } } } } }`;

describe('operation limits that hold', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const expectCostRefusal = (res: { errors?: { message: string; extensions?: Record<string, any> }[] }) => {
    expect(res.errors?.[0]?.extensions?.['code']).toBe('COST_LIMIT_EXCEEDED');
    expect(res.errors?.[0]?.message).toMatch(/costs \d+; the limit is 5000/);
    expect(res.errors?.[0]?.message).not.toMatch(/Syntax Error/);
  };

  it('counts page sizes the same whether they are literals, variables or variable defaults', async () => {
    const literal = await stack.request(FEED_LITERALS);
    const variables = await stack.request(FEED_VARIABLES, { posts: 100, comments: 100 });
    const defaults = await stack.request(FEED_DEFAULTS);
    for (const res of [literal, variables, defaults]) {
      expect(res.status).toBe(400);
      expect(res).not.toHaveProperty('data.feed');
      expectCostRefusal(res);
    }
    expect(literal.errors?.[0]?.message).toBe(variables.errors?.[0]?.message);
    expect(defaults.errors?.[0]?.extensions?.['cost']).toBe(literal.errors?.[0]?.extensions?.['cost']);
  });

  it('serves the same query with small pages', async () => {
    const res = await stack.request(FEED_VARIABLES, { posts: 5, comments: 5 });
    expect(res).toMatchObject({ status: 200, data: { feed: { edges: expect.any(Array) } } });
    expect(res.errors).toBeUndefined();
  });

  it('refuses an unbounded page outright, naming the field', async () => {
    const res = await stack.request(`query($n: Int) { feed(first: $n) { edges { node { id } } } }`, { n: 1_000_000 });
    expect(res.errors?.[0]?.extensions?.['code']).toBe('COST_LIMIT_EXCEEDED');
    expect(res.errors?.[0]?.message).toMatch(/`feed` asks for 1000000 items/);
  });

  it('holds the same cost limit on WebSocket subscriptions', async () => {
    const live = subscribe(
      stack,
      `subscription($id: ID!, $n: Int) { listingUpdated(listingId: $id) { title posts { id comments(first: $n) { edges { node { id body author { name } } } } } } }`,
      { id: '00000000-0000-4000-8000-000000000000', n: 200 },
    );
    await live.done;
    // graphql-ws hands a refused subscribe to the error sink as the list of GraphQL errors.
    const errors = live.failure as { message: string; extensions?: Record<string, unknown> }[];
    expect(errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'COST_LIMIT_EXCEEDED' }) })]);
    expect(errors[0]?.message).toMatch(/costs \d+; the limit is 5000/);
  });

  describe('trusted documents (TRUSTED_DOCUMENTS=enforce, production)', () => {
    let gateway: GatewayServer;
    let url: string;
    const TRUSTED = `query EmailAvailable($email: String!) { emailAvailable(email: $email) }`;
    const id = createHash('sha256').update(TRUSTED).digest('hex');
    const post = async (body: Record<string, unknown>) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return {
        status: res.status,
        ...((await res.json()) as { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] }),
      };
    };

    beforeAll(async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'trusted-'));
      const manifest = path.join(dir, 'persisted-documents.json');
      // graphql-codegen client preset format: { "<sha256>": "<document>" }
      writeFileSync(manifest, JSON.stringify({ [id]: TRUSTED }));
      const secrets = await testSecrets();
      gateway = await createGateway({
        env: loadGatewayEnv({
          NODE_ENV: 'production',
          GATEWAY_SIGNING_SECRET: secrets.signingSecret,
          JWT_PUBLIC_KEY: secrets.publicKeyPem,
          TRUSTED_DOCUMENTS: 'enforce',
          TRUSTED_DOCUMENTS_MANIFEST: manifest,
        }),
        supergraphSdl: readFileSync(SUPERGRAPH_PATH, 'utf8'),
        subgraphUrls: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, stack.subgraphs[n].url])),
        logger: createLogger('gateway', 'silent'),
        revocations: stack.revocations,
      });
      url = (await gateway.listen(0, '127.0.0.1')).url;
    });
    afterAll(async () => {
      await gateway?.stop();
    });

    it('runs a manifest operation by documentId, by Apollo persisted-query hash, or by its exact text', async () => {
      for (const body of [
        { documentId: id, variables: { email: 'nobody-td@example.com' } },
        { extensions: { persistedQuery: { version: 1, sha256Hash: id } }, variables: { email: 'nobody-td@example.com' } },
        { query: TRUSTED, variables: { email: 'nobody-td@example.com' } },
      ]) {
        const res = await post(body);
        expect(res.errors).toBeUndefined();
        expect(res.data).toEqual({ emailAvailable: true });
      }
    });

    it('refuses any other operation, and automatic persisted queries', async () => {
      const other = await post({ query: '{ emailAvailable(email: "a@example.com") }' });
      expect(other.status).toBe(400);
      expect(other.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_TRUSTED');
      const unknownId = await post({ documentId: 'f'.repeat(64) });
      expect(unknownId.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_TRUSTED');
      const apqRegister = await post({
        query: '{ __typename }',
        extensions: { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update('{ __typename }').digest('hex') } },
      });
      expect(apqRegister.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_TRUSTED');
    });

    it('refuses other operations on WebSocket too', async () => {
      const live = subscribe({ url }, `subscription($id: ID!) { listingUpdated(listingId: $id) { title } }`, {
        id: '00000000-0000-4000-8000-000000000000',
      });
      await live.done;
      expect((live.failure as { extensions?: Record<string, unknown> }[])[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_TRUSTED');
    });
  });
});
