import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { classifyFailure } from './events/failures';

export type ErrorCode =
  'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'RATE_LIMITED' | 'INTERNAL_SERVER_ERROR';

/** A fault the client can act on. Expected domain outcomes are result types in the schema instead. */
export abstract class AppError extends GraphQLError {
  abstract readonly code: ErrorCode;
  constructor(message: string, extensions: Record<string, unknown> = {}, code: ErrorCode) {
    super(message, { extensions: { code, ...extensions } });
  }
}

export class UnauthenticatedError extends AppError {
  readonly code = 'UNAUTHENTICATED' as const;
  constructor(message = 'Sign in to do this: send `Authorization: Bearer <access token>`.') {
    super(message, {}, 'UNAUTHENTICATED');
  }
}

export class ForbiddenError extends AppError {
  readonly code = 'FORBIDDEN' as const;
  constructor(message = 'You are not allowed to do this.') {
    super(message, {}, 'FORBIDDEN');
  }
}

export class BadUserInputError extends AppError {
  readonly code = 'BAD_USER_INPUT' as const;
  constructor(message: string, fields?: Record<string, string[]>) {
    super(message, fields ? { fields } : {}, 'BAD_USER_INPUT');
  }
}

export class NotFoundError extends AppError {
  readonly code = 'NOT_FOUND' as const;
  constructor(entity: string, id?: string) {
    super(id ? `${entity} ${id} was not found.` : `${entity} was not found.`, { entity }, 'NOT_FOUND');
  }
}

export class ConflictError extends AppError {
  readonly code = 'CONFLICT' as const;
  constructor(message: string) {
    super(message, {}, 'CONFLICT');
  }
}

export class RateLimitedError extends AppError {
  readonly code = 'RATE_LIMITED' as const;
  constructor(retryAfterSeconds: number, what = 'requests') {
    super(`Too many ${what}. Try again in ${retryAfterSeconds} s.`, { retryAfterSeconds }, 'RATE_LIMITED');
  }
}

/** A retryable outage of a backing service; the gateway answers the same code for an unreachable subgraph. */
export const SERVICE_UNAVAILABLE = 'SUBGRAPH_UNAVAILABLE';

const PUBLIC_CODES = new Set<string>([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  // Produced by Apollo Server itself for malformed operations; their messages are safe to show.
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
]);

/**
 * Apollo `formatError`: known codes pass through; anything else becomes a generic internal error
 * outside development, so internal messages and stack traces never reach a client.
 */
export function createErrorFormatter(options: { exposeInternals: boolean; onInternal?: (err: unknown) => void }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.['code'];
    if (typeof code === 'string' && PUBLIC_CODES.has(code)) {
      const { stacktrace: _drop, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions: options.exposeInternals ? formatted.extensions : extensions };
    }
    const original = unwrapResolverError(error);
    options.onInternal?.(original);
    // The database (or another backing service) could not be reached: a retryable outage of this
    // part of the graph, reported with the code the gateway uses for an unreachable subgraph.
    if (classifyFailure(original) === 'infrastructure') {
      return {
        message: 'This part of the service is briefly unavailable (a backing service did not answer); retry shortly.',
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: SERVICE_UNAVAILABLE, retryable: true },
      };
    }
    if (options.exposeInternals) return formatted;
    return {
      message: 'Internal server error. The failure was logged; retry later or report the request id.',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
