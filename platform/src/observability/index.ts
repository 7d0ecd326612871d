export * from './metrics';
export * from './tracing';
export * from './service-scope';
