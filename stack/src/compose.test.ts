import { readFileSync } from 'node:fs';
import { composeSupergraph, SUPERGRAPH_PATH } from './compose';

describe('supergraph composition', () => {
  it('composes the six subgraph SDLs without errors, into exactly the committed schema/supergraph.graphql', () => {
    const result = composeSupergraph();
    if (!result.ok) throw new Error(`composition failed:\n${result.errors.join('\n')}`);
    const committed = readFileSync(SUPERGRAPH_PATH, 'utf8');
    // A mismatch means a subgraph's schema.graphql changed without `npm run compose`.
    expect(result.supergraphSdl).toBe(committed);
  });
});
