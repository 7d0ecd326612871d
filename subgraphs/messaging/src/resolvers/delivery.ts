import type { DeliveryResolvers } from '../generated/graphql';

/** A Delivery reaches a resolver only through its notification, which only its recipient reads. */
export const Delivery: DeliveryResolvers = {
  error: (d) => d.lastError,
  sentAt: (d) => d.sentAt,
  nextAttemptAt: (d) => (d.status === 'PENDING' ? d.nextAttemptAt : null),
};
