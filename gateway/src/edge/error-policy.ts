import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import { createErrorFormatter, type Logger } from '@market/platform';

/** Codes the gateway itself produces; their messages are written for clients. */
export const GATEWAY_ERROR_CODES = new Set([
  'SUBGRAPH_UNAVAILABLE',
  'SUBSCRIPTION_INTERRUPTED',
  'COST_LIMIT_EXCEEDED',
  'PERSISTED_QUERY_NOT_TRUSTED',
]);

/**
 * What a client may read of an error, the same on HTTP and WebSocket: the platform's policy (known
 * codes pass, anything else is an opaque INTERNAL_SERVER_ERROR outside development), the gateway's
 * own codes, and no field suggestions outside development. Suggestions are cut here rather than by
 * graphql-armor's blocker, which assigns `error.message` on every error and so throws on errors whose
 * message is read-only (an AbortSignal timeout), turning one slow subgraph into a 500 without data.
 */
export function publicErrorFormatter(options: { exposeInternals: boolean; logger: Logger; what: string }) {
  const format = createErrorFormatter({
    exposeInternals: options.exposeInternals,
    onInternal: (err) => options.logger.error({ err }, `unexpected ${options.what} error`),
  });
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.['code'];
    const result = typeof code === 'string' && GATEWAY_ERROR_CODES.has(code) ? formatted : format(formatted, error);
    // graphql-armor words its limit refusals (depth, directives) as "Syntax Error: ..."; they are not.
    const message = code === 'GRAPHQL_VALIDATION_FAILED' ? result.message.replace(/^Syntax Error: /, '') : result.message;
    if (options.exposeInternals) return { ...result, message };
    return { ...result, message: message.replace(/ Did you mean .*\?$/, '') };
  };
}

/** The same policy for graphql-ws, which hands over GraphQLErrors rather than formatted ones. */
export function formatGraphQLError(format: ReturnType<typeof publicErrorFormatter>): (error: GraphQLError) => GraphQLFormattedError {
  return (error) => format(error.toJSON(), error);
}
