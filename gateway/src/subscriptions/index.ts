export { createSubscriptionServer } from './subscription-server';
export { DEFAULT_SUBSCRIPTION_LIMITS } from './subscription-limits';
export type { SubscriptionServer, SubscriptionServerOptions, SubscriptionServerStats } from './subscription-server';
export type { SubscriptionLimits } from './subscription-limits';
export type { SchemaSource } from './schema-follower';
