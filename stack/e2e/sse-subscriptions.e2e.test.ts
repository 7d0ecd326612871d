import { createClient, type Client } from 'graphql-sse';
import type { ExecutionResult } from 'graphql';
import { createUser, eventually, startTestStack, type TestStack, type TestUser } from '../src/testing/stack';
import { startConversation } from '../src/testing/messaging';

/**
 * Subscriptions over Server-Sent Events (GraphQL over SSE, graphql-sse's distinct connections mode)
 * through the gateway: the same planner and executor as graphql-ws (a field from another subgraph
 * completes each event), the same token check, the same limits, and the stream ends with a reason
 * when its session ends.
 */

const MESSAGE_ADDED = `subscription($conversationId: ID!) { messageAdded(conversationId: $conversationId) { body sender { name } cursor } }`;
const SEND = `mutation($conversationId: ID!, $body: String!) { sendMessage(conversationId: $conversationId, body: $body) { id } }`;

interface Stream {
  results: ExecutionResult[];
  completed: boolean;
  failure: unknown;
  connected: Promise<void>;
  dispose(): void;
}

function stream(client: Client, query: string, variables: Record<string, unknown>): Stream {
  let onConnected: () => void = () => undefined;
  const s: Stream = {
    results: [],
    completed: false,
    failure: null,
    connected: new Promise<void>((resolve) => (onConnected = resolve)),
    dispose: () => undefined,
  };
  s.dispose = client.subscribe(
    { query, variables },
    {
      next: (result) => void s.results.push(result as ExecutionResult),
      error: (err) => {
        s.failure = err;
        s.completed = true;
      },
      complete: () => void (s.completed = true),
    },
    { connected: () => onConnected() },
  );
  return s;
}

describe('subscriptions over Server-Sent Events', () => {
  let stack: TestStack;
  let ana: TestUser;
  let ben: TestUser;
  let conversationId: string;
  const clients: Client[] = [];

  const sseClient = (token?: string) => {
    const client = createClient({
      url: stack.url,
      retryAttempts: 0,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    clients.push(client);
    return client;
  };
  const send = async (user: TestUser, body: string) => {
    const res = await stack.request(SEND, { conversationId, body }, user.token);
    if (res.errors) throw new Error(`sendMessage failed: ${JSON.stringify(res.errors)}`);
  };
  const open = (token: string | undefined, body: unknown) =>
    fetch(stack.url, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    stack = await startTestStack();
    [ana, ben] = await Promise.all([createUser(stack, 'BUYER', 'Ana Asker'), createUser(stack, 'SELLER', 'Ben Seller')]);
    conversationId = await startConversation(stack, ana.token, [ben.id]);
  });
  afterAll(async () => {
    for (const client of clients) client.dispose();
    await stack?.stop();
  });

  it('delivers events completed across subgraphs, as graphql-ws does', async () => {
    const live = stream(sseClient(ben.token), MESSAGE_ADDED, { conversationId });
    await live.connected;
    // The upstream subscription is open once the subgraph's channel has a listener.
    await eventually(async () => stack.pubsub.channels().includes(`live:messaging.messageAdded:${conversationId}`));
    await send(ana, 'Is the flat still free?');
    await eventually(async () => live.results.length >= 1);
    expect(live.results[0]).toEqual({
      data: { messageAdded: { body: 'Is the flat still free?', sender: { name: 'Ana Asker' }, cursor: expect.any(String) } },
    });
    live.dispose();
  });

  it('checks the subscription like any operation: a private subscription without a token is refused in the stream', async () => {
    const res = await open(undefined, { query: MESSAGE_ADDED, variables: { conversationId } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/event: next/);
    expect(text).toMatch(/UNAUTHENTICATED/);
    expect(text).toMatch(/event: complete/);
  });

  it('refuses a bad token with 401 before any stream opens', async () => {
    const res = await open('not.a.token', { query: MESSAGE_ADDED, variables: { conversationId } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('serves only subscriptions, with the same validation and limits as HTTP and WebSocket', async () => {
    const query = await (await open(ana.token, { query: '{ me { id } }' })).text();
    expect(query).toMatch(/Only subscriptions are served/);
    const invalid = await (await open(ana.token, { query: 'subscription { noSuchField }' })).text();
    expect(invalid).toMatch(/GRAPHQL_VALIDATION_FAILED/);
    const nul = await (await open(ana.token, { query: MESSAGE_ADDED, variables: { conversationId: 'a\u0000b' } })).text();
    expect(nul).toMatch(/BAD_USER_INPUT/);
  });

  it('ends the stream with UNAUTHENTICATED (SESSION_ENDED) when its session ends', async () => {
    const { user: cleo, token } = await (async () => {
      const u = await createUser(stack, 'BUYER', 'Cleo Closer');
      return { user: u, token: u.token };
    })();
    const convo = await startConversation(stack, ana.token, [cleo.id]);
    const live = stream(sseClient(token), MESSAGE_ADDED, { conversationId: convo });
    await live.connected;
    await eventually(async () => stack.pubsub.channels().includes(`live:messaging.messageAdded:${convo}`));
    const out = await stack.request('mutation { logout }', {}, token);
    expect(out.data).toEqual({ logout: true });
    await eventually(async () => live.completed);
    const last = live.results.at(-1);
    expect(last?.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_ENDED' });
  });
});
