export * from './bounded-queue';
export * from './topic';
export * from './live-publisher';
export * from './field';
export * from './protocol';
export * from './subgraph-ws';
export * from './ws';
