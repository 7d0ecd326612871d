import path from 'node:path';

/** The committed supergraph (`npm run compose` writes it) the gateway routes by unless SUPERGRAPH_PATH says otherwise. */
export const SUPERGRAPH_PATH = path.resolve(__dirname, '..', '..', 'schema', 'supergraph.graphql');
