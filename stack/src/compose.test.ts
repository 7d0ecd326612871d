import { readFileSync } from 'node:fs';
import { GraphQLInterfaceType, GraphQLObjectType, GraphQLUnionType, buildSchema, getNamedType } from 'graphql';
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

describe('the client schema', () => {
  const schema = buildSchema(readFileSync(API_SCHEMA_PATH, 'utf8'));
  /** Members of result unions that are outcomes a client asked for, not problems. */
  const SUCCESSES = new Set([
    'AuthPayload',
    'VerificationSent',
    'PasswordChanged',
    'PasswordReset',
    'AccountDeleted',
    'Stay',
    'CalendarBlock',
    'ViewingAppointment',
    'Review',
    'Post',
    'Comment',
    'Feedback',
    'Instance',
    'Auction',
    'BidAccepted',
    'BidPending',
    'BidRetracted',
    'SavedSearch',
    'ListingPhoto',
    'PhoneCodeSent',
    'PhoneVerified',
    'Conversation',
    'Message',
    'Broadcast',
    'ListingWatch',
  ]);

  it('answers every expected failure of every result union with a type that implements Problem', () => {
    const problem = schema.getType('Problem');
    expect(problem).toBeInstanceOf(GraphQLInterfaceType);
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!(type instanceof GraphQLUnionType)) continue;
      for (const member of type.getTypes()) {
        const isProblem = member.getInterfaces().some((i) => i.name === 'Problem');
        if (!isProblem && !SUCCESSES.has(member.name)) missing.push(`${type.name}.${member.name}`);
        if (isProblem && SUCCESSES.has(member.name)) missing.push(`${type.name}.${member.name} (listed as a success)`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('pages in the client schema', () => {
  const schema = buildSchema(readFileSync(API_SCHEMA_PATH, 'utf8'));
  it('keeps the suffix Connection for Relay pages: every *Connection type has edges and a full pageInfo', () => {
    const wrong: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!(type instanceof GraphQLObjectType) || !type.name.endsWith('Connection')) continue;
      const fields = type.getFields();
      const pageInfo = fields['pageInfo'] ? getNamedType(fields['pageInfo'].type) : null;
      const pageFields = pageInfo instanceof GraphQLObjectType ? Object.keys(pageInfo.getFields()) : [];
      if (!fields['edges'] || !['hasNextPage', 'hasPreviousPage', 'startCursor', 'endCursor'].every((f) => pageFields.includes(f)))
        wrong.push(type.name);
    }
    expect(wrong).toEqual([]);
  });
});
