import { OperationNames, refusalRule, rootFieldOf } from './metrics';
import { parse } from 'graphql';

describe('operation labels', () => {
  it('keep the first names seen up to the cap, then say "other"', () => {
    const names = new OperationNames(null, 2);
    expect(names.label('GetListing')).toBe('GetListing');
    expect(names.label('Search')).toBe('Search');
    expect(names.label('Third')).toBe('other');
    expect(names.label('GetListing')).toBe('GetListing');
    expect(names.label(undefined)).toBe('anonymous');
  });

  it('never label a name that is not a GraphQL name (a raw document, an id with dashes)', () => {
    const names = new OperationNames(null);
    expect(names.label('{ me { id } }')).toBe('other');
    expect(names.label('a'.repeat(65))).toBe('other');
  });

  it('with trusted documents enforced, label only the manifest’s operations', () => {
    const names = OperationNames.from(['query GetListing($id: ID!) { listing(id: $id) { id } }', 'mutation BookStay { x }']);
    expect(names.label('GetListing')).toBe('GetListing');
    expect(names.label('BookStay')).toBe('BookStay');
    expect(names.label('Invented')).toBe('other');
  });
});

describe('refusal rules', () => {
  it('name the limit an error stands for', () => {
    expect(refusalRule({ message: 'too costly', extensions: { code: 'COST_LIMIT_EXCEEDED' } })).toBe('cost');
    expect(refusalRule({ message: 'Too many aliases: the limit is 15 per operation. Split the request.' })).toBe('aliases');
    expect(refusalRule({ message: 'Syntax Error: Query depth limit of 8 exceeded, found 12.' })).toBe('depth');
    expect(refusalRule({ message: 'Syntax Error: Document contains more than 1000 tokens. Parsing aborted.' })).toBe('tokens');
    expect(refusalRule({ message: 'Listing not found', extensions: { code: 'NOT_FOUND' } })).toBeNull();
  });
});

describe('subscription field label', () => {
  it('is the root field of the chosen operation', () => {
    expect(rootFieldOf(parse('subscription A { __typename messageAdded(conversationId: "1") { id } }'))).toBe('messageAdded');
    expect(rootFieldOf(parse('subscription A { typing { id } } subscription B { notificationAdded { id } }'), 'B')).toBe(
      'notificationAdded',
    );
  });
});
