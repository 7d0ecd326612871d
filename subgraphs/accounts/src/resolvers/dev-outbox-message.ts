import type { DevOutboxMessageResolvers } from '../generated/graphql';

export const DevOutboxMessage: DevOutboxMessageResolvers = {
  to: (message) => message.recipient,
};
