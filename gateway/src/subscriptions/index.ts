export { createSubscriptionServer, defaultValidationRules, DEFAULT_SUBSCRIPTION_LIMITS } from './server';
export type { SubscriptionServer, SubscriptionServerOptions, SubscriptionServerStats, SubscriptionLimits, SchemaSource } from './server';
