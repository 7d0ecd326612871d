import { GraphQLError, type ASTVisitor, type DocumentNode, type GraphQLSchema, type ValidationContext, type ValidationRule } from 'graphql';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { NextFunction, Request, Response } from 'express';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { operationCost } from './operation-cost';
import { countRefusal } from './metrics';
import type { TrustedDocuments } from './trusted-documents';

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

/** The limits every operation meets, over HTTP and over WebSocket alike. */
export interface OperationLimits {
  /** graphql-armor's validation rules plus the alias rule. */
  validationRules: ValidationRule[];
  /** graphql-js enforces the token limit while parsing (a parse error), so it is a parse option. */
  parseOptions: { maxTokens: number };
  /** graphql-armor's Apollo plugins. */
  armor: ReturnType<ApolloArmor['protect']>;
  /** A client-facing message when the document is too long, else null. */
  documentTooLong(query: string): string | null;
  /** The cost limit (operation-cost.ts), which needs the variables, so it runs after validation: null when within it. */
  costError(input: {
    schema: GraphQLSchema;
    document: DocumentNode;
    operationName?: string | null;
    variables?: Record<string, unknown> | null;
  }): GraphQLError | null;
  /** When enforced, the only documents that run (trusted-documents.ts). */
  trustedDocuments: TrustedDocuments | null;
}

/** The cost limit on HTTP, as an Apollo plugin (after validation: it needs the variables). */
export function costLimitPlugin<T extends BaseContext>(limits: OperationLimits): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operationName, request }) {
          const error = limits.costError({ schema, document, operationName, variables: request.variables ?? {} });
          if (error) throw error;
        },
      };
    },
  };
}

/** HTTP: refuses an over-long document before it is parsed (400 BAD_USER_INPUT). */
export function refuseLongDocuments(limits: OperationLimits) {
  return (req: Request, res: Response, next: NextFunction) => {
    const query = (req.body as { query?: unknown } | undefined)?.query ?? req.query['query'];
    const tooLong = typeof query === 'string' ? limits.documentTooLong(query) : null;
    if (tooLong) {
      countRefusal('document_length');
      res.status(400).json({ errors: [{ message: tooLong, extensions: { code: 'BAD_USER_INPUT' } }] });
      return;
    }
    next();
  };
}

export function createOperationLimits(options: { trustedDocuments?: TrustedDocuments | null } = {}): OperationLimits {
  const armor = new ApolloArmor({
    maxDepth: { n: OPERATION_LIMITS.depth },
    maxAliases: { enabled: false },
    maxDirectives: { n: OPERATION_LIMITS.directives },
    maxTokens: { enabled: false },
    // Counted by operation-cost.ts instead, with variables and defaults (armor counts literals only).
    costLimit: { enabled: false },
    // Suggestions are cut by the error policy (error-policy.ts): armor's blocker breaks on read-only messages.
    blockFieldSuggestion: { enabled: false },
  });
  const protection = armor.protect();
  const costError: OperationLimits['costError'] = (input) => {
    const verdict = operationCost({ ...input, maxCost: OPERATION_LIMITS.cost });
    return verdict.ok ? null : verdict.error;
  };
  return {
    trustedDocuments: options.trustedDocuments ?? null,
    costError,
    validationRules: [...(protection.validationRules as ValidationRule[]), maxAliasesRule(OPERATION_LIMITS.aliases)],
    parseOptions: { maxTokens: OPERATION_LIMITS.tokens },
    armor: protection,
    documentTooLong: (query) =>
      query.length > OPERATION_LIMITS.documentChars
        ? `The operation is ${query.length} characters; the limit is ${OPERATION_LIMITS.documentChars}. Split it, or use variables for large values.`
        : null,
  };
}
