import { readFileSync } from 'node:fs';
import { API_SCHEMA_PATH, apiSchemaOf, composeSupergraph, SUPERGRAPH_PATH } from './compose';

describe('supergraph composition', () => {
  it('composes the six subgraph SDLs without errors, into exactly the committed schema/supergraph.graphql', () => {
    const result = composeSupergraph();
    if (!result.ok) throw new Error(`composition failed:\n${result.errors.join('\n')}`);
    const committed = readFileSync(SUPERGRAPH_PATH, 'utf8');
    // A mismatch means a subgraph's schema.graphql changed without `npm run compose`.
    expect(result.supergraphSdl).toBe(committed);
  });

  it('writes exactly the committed client schema, schema/api.graphql, without federation internals', () => {
    const result = composeSupergraph();
    if (!result.ok) throw new Error(`composition failed:\n${result.errors.join('\n')}`);
    const api = readFileSync(API_SCHEMA_PATH, 'utf8');
    expect(apiSchemaOf(result.supergraphSdl)).toBe(api);
    expect(api).not.toMatch(/join__|link__|@join|_entities|_service/);
    expect(api).toMatch(/type Query \{/);
  });
});
