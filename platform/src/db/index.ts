export * from './databases';
export * from './migrations';
export * from './layout';
export { runDbCli, runDbCommand, type FallbackServer } from './cli';
