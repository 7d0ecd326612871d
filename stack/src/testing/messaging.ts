import { eventually, type TestStack } from './stack';

/**
 * Starts a conversation through the gateway and returns its id. Messaging learns of new users from
 * accounts' events, a moment after sign-up: until then they are ParticipantsUnavailable, so this
 * retries until the conversation exists (or the timeout).
 */
export async function startConversation(
  stack: TestStack,
  token: string,
  participantIds: string[],
  body?: string,
  timeoutMs = 15_000,
): Promise<string> {
  return eventually(async () => {
    const res = await stack.request(
      `mutation($input: StartConversationInput!) { startConversation(input: $input) { __typename ... on Conversation { id } } }`,
      { input: { participantIds, ...(body !== undefined ? { body } : {}) } },
      token,
    );
    if (res.errors) throw new Error(`startConversation failed: ${JSON.stringify(res.errors)}`);
    return res.data?.startConversation?.__typename === 'Conversation' ? (res.data.startConversation.id as string) : null;
  }, timeoutMs);
}
