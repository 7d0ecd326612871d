import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'graphql';
import { composeServices } from '@apollo/composition';
import { printSchema, Supergraph } from '@apollo/federation-internals';
import { DEFAULT_SUBGRAPH_PORTS, SUBGRAPH_NAMES } from '@market/platform';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
import { SUPERGRAPH_PATH } from '@market/gateway';

export { SUPERGRAPH_PATH };

/** The schema clients see (no federation internals): what client codegen reads. */
export const API_SCHEMA_PATH = path.join(REPO_ROOT, 'schema', 'api.graphql');

/** Each subgraph's SDL with the routing URL the committed supergraph carries (overridable at run time). */
export function subgraphDefinitions() {
  return SUBGRAPH_NAMES.map((name) => ({
    name,
    url: `http://localhost:${DEFAULT_SUBGRAPH_PORTS[name]}/graphql`,
    typeDefs: parse(readFileSync(path.join(REPO_ROOT, 'subgraphs', name, 'schema.graphql'), 'utf8')),
  }));
}

export type ComposeResult = { ok: true; supergraphSdl: string } | { ok: false; errors: string[] };

export function composeSupergraph(): ComposeResult {
  const result = composeServices(subgraphDefinitions());
  if (result.errors && result.errors.length > 0) {
    return { ok: false, errors: result.errors.map((e) => `${e.extensions?.['code'] ?? 'ERROR'}: ${e.message}`) };
  }
  if (!result.supergraphSdl) return { ok: false, errors: ['composition produced no supergraph'] };
  return { ok: true, supergraphSdl: result.supergraphSdl };
}

/** The client-facing schema of a composed supergraph, printed, with a header saying where it comes from. */
export function apiSchemaOf(supergraphSdl: string): string {
  const api = printSchema(Supergraph.build(supergraphSdl).apiSchema());
  return `# The client schema of the supergraph, written by \`npm run compose\`: generate client types from this file.\n${api}\n`;
}

if (require.main === module) {
  const result = composeSupergraph();
  if (!result.ok) {
    console.error(`Composition failed with ${result.errors.length} error(s):\n${result.errors.join('\n')}`);
    console.error('Fix the subgraph SDL named above and run `npm run compose` again.');
    process.exit(1);
  }
  writeFileSync(SUPERGRAPH_PATH, result.supergraphSdl);
  console.log(`Wrote ${path.relative(process.cwd(), SUPERGRAPH_PATH)} (${result.supergraphSdl.length} characters).`);
  const api = apiSchemaOf(result.supergraphSdl);
  writeFileSync(API_SCHEMA_PATH, api);
  console.log(`Wrote ${path.relative(process.cwd(), API_SCHEMA_PATH)} (${api.length} characters).`);
}
