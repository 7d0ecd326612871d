/** What the gateway package offers the embedded stack, benchmarks and tests; `index.ts` is the production process. */
export * from './server';
export { loadGatewayEnv, type GatewayEnv } from './env';
export { SUPERGRAPH_PATH } from './supergraph-path';
