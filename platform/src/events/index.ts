export * from './contracts';
export * from './bus';
export * from './in-process-bus';
export * from './outbox';
export * from './outbox-batch';
export * from './kafka-bus';
export * from './listing-order';
