export * from './contracts';
export * from './bus';
export * from './failures';
export * from './in-process-bus';
export * from './outbox';
export * from './kafka-bus';
export * from './kafka-config';
export * from './listing-order';
