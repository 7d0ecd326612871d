export * from './databases';
export * from './migrations';
export * from './layout';
export * from './outbox-models';
export { runDbCli, runDbCommand, type FallbackServer } from './cli';
