import { GraphQLError, type ASTVisitor, type ValidationContext } from 'graphql';

/**
 * Counts every alias in the operation, `__typename` included (graphql-armor's own alias limit skips
 * `__typename`, which leaves a cheap amplification open).
 */
export function maxAliasesRule(max: number) {
  return (context: ValidationContext): ASTVisitor => {
    let count = 0;
    let reported = false;
    return {
      Field(node) {
        if (!node.alias) return;
        count += 1;
        if (count > max && !reported) {
          reported = true;
          context.reportError(
            new GraphQLError(`Too many aliases: the limit is ${max} per operation. Split the request.`, {
              nodes: [node],
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
            }),
          );
        }
      },
    };
  };
}

/** Operation limits, from graphql-armor's defaults except where federation needs more depth. */
export const OPERATION_LIMITS = {
  depth: 8,
  aliases: 15,
  directives: 50,
  tokens: 1000,
  cost: 5000,
  /** Characters in one GraphQL document. */
  documentChars: 15_000,
} as const;
