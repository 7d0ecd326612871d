import { randomUUID } from 'node:crypto';
import { createUser, startTestStack, type TestStack, type TestUser } from '../src/testing/stack';

/**
 * Unknown ids answer the same way everywhere (gateway/CLIENTS.md, "Unknown ids"):
 * - a root field that fetches one thing by its id answers null, with no error, whether the id is
 *   unknown, malformed, or names something the caller may not see;
 * - any other field or mutation given an id that does not resolve answers NOT_FOUND (never
 *   BAD_USER_INPUT, FORBIDDEN or INTERNAL_SERVER_ERROR), malformed ids included.
 */

// `broadcast(id)` is admins' only: FORBIDDEN for anyone else, before any id is looked at.
const BY_ID = ['user', 'stay', 'viewing', 'post', 'comment', 'machine', 'instance', 'listing', 'auction', 'conversation'] as const;

const NOT_FOUND_OPERATIONS: Array<[string, string, (id: string) => Record<string, unknown>]> = [
  ['cancellationQuote', 'query($id: ID!) { cancellationQuote(stayId: $id) { policy } }', (id) => ({ id })],
  ['availability', `query($id: ID!) { availability(listingId: $id, from: "2030-01-01", to: "2030-01-03") { date } }`, (id) => ({ id })],
  ['similarListings', 'query($id: ID!) { similarListings(listingId: $id) { id } }', (id) => ({ id })],
  ['mutualConnections', 'query($id: ID!) { mutualConnections(userId: $id) { edges { node { id } } } }', (id) => ({ id })],
  ['acceptConnection', 'mutation($id: ID!) { acceptConnection(id: $id) { id } }', (id) => ({ id })],
  ['follow', 'mutation($id: ID!) { follow(userId: $id) { id } }', (id) => ({ id })],
  ['cancelStay', 'mutation($id: ID!) { cancelStay(id: $id, idempotencyKey: "k") { id } }', (id) => ({ id })],
  ['sendMessage', 'mutation($id: ID!) { sendMessage(conversationId: $id, body: "hi") { id } }', (id) => ({ id })],
  ['markNotificationRead', 'mutation($id: ID!) { markNotificationRead(id: $id) { id } }', (id) => ({ id })],
  ['watchListing', 'mutation($id: ID!) { watchListing(listingId: $id) { __typename } }', (id) => ({ id })],
  ['deletePost', 'mutation($id: ID!) { deletePost(id: $id) }', (id) => ({ id })],
  ['stopInstance', 'mutation($id: ID!) { stopInstance(id: $id) { id } }', (id) => ({ id })],
  ['updateListing', 'mutation($id: ID!) { updateListing(id: $id, input: { title: "A new title for it" }) { id } }', (id) => ({ id })],
];

describe('unknown ids', () => {
  let stack: TestStack;
  let user: TestUser;
  beforeAll(async () => {
    stack = await startTestStack();
    user = await createUser(stack, 'SELLER', 'Ida Ids');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it.each(BY_ID)('%s(id) answers null for an unknown or malformed id, without an error', async (field) => {
    for (const id of [randomUUID(), 'not-an-id', '12345']) {
      const res = await stack.request(`query($id: ID!) { ${field}(id: $id) { id } }`, { id }, user.token);
      expect({ id, errors: res.errors ?? null, data: res.data }).toEqual({ id, errors: null, data: { [field]: null } });
    }
  });

  it.each(NOT_FOUND_OPERATIONS)('%s answers NOT_FOUND for an unknown or malformed id', async (_name, operation, variables) => {
    for (const id of [randomUUID(), 'not-an-id']) {
      const res = await stack.request(operation, variables(id), user.token);
      expect({ id, codes: (res.errors ?? []).map((e) => e.extensions?.['code']) }).toEqual({ id, codes: ['NOT_FOUND'] });
    }
  });
});
