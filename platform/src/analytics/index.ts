export * from './sink';
export * from './exporter';
export * from './backfill';
export * from './env';
