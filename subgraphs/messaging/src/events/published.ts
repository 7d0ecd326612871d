/**
 * What messaging publishes on the bus (through its outbox, in the transaction of the change):
 *  - `messaging.message.sent` when a message is sent (repositories/message-repository.ts
 *    `appendMessage`), keyed by conversation id. Consumed by messaging itself
 *    (consumers/message-notifications.ts) so MESSAGE notifications stay off the send path.
 */
export const PUBLISHED_EVENTS = ['messaging.message.sent'] as const;
