import type { TypingEventResolvers } from '../generated/graphql';

export const TypingEvent: TypingEventResolvers = {
  user: (typing) => ({ id: typing.userId }),
};
