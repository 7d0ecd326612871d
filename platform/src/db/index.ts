export * from './databases';
export * from './migrations';
export * from './embedded-postgres';
