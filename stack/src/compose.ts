import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'graphql';
import { composeServices } from '@apollo/composition';
import { DEFAULT_SUBGRAPH_PORTS, SUBGRAPH_NAMES } from '@market/platform';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
import { SUPERGRAPH_PATH } from '@market/gateway';

export { SUPERGRAPH_PATH };

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

if (require.main === module) {
  const result = composeSupergraph();
  if (!result.ok) {
    console.error(`Composition failed with ${result.errors.length} error(s):\n${result.errors.join('\n')}`);
    console.error('Fix the subgraph SDL named above and run `npm run compose` again.');
    process.exit(1);
  }
  writeFileSync(SUPERGRAPH_PATH, result.supergraphSdl);
  console.log(`Wrote ${path.relative(process.cwd(), SUPERGRAPH_PATH)} (${result.supergraphSdl.length} characters).`);
}
