import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher, FetcherResponse } from '@apollo/utils.fetcher';
import type { Agent } from 'undici';
import { CALLER_HEADER, REQUEST_ID_HEADER, SIGNATURE_HEADER, encodeCaller, signRequest } from '@market/platform';
import type { GatewayContext } from '../context';

/**
 * Forwards a subgraph fetch and signs exactly the body it sends, so a subgraph can tell the gateway's
 * requests from anyone else's. Identity headers are always rebuilt from the verified token.
 */
export class SignedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    const ctx = context as Partial<GatewayContext> | undefined;
    headers.set(
      CALLER_HEADER,
      encodeCaller({ identity: ctx?.identity ?? null, ip: ctx?.ip ?? null, userAgent: ctx?.userAgent ?? null }),
    );
    headers.set(REQUEST_ID_HEADER, ctx?.requestId ?? randomUUID());
  }

  /**
   * A subgraph answers 400 when the request reached it but its variables did not coerce, for
   * example a custom scalar the gateway cannot check (Date "2027-02-30"): that is the client's
   * input, so the client reads the subgraph's message as BAD_USER_INPUT, not an internal error.
   */
  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    if (response.status === 400) {
      const messages = graphQLErrorMessages(await response.clone().json().catch(() => null));
      if (messages.length > 0) return new GraphQLError(messages.join(' '), { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return super.errorFromResponse(response);
  }
}

/** The messages of a GraphQL response body's `errors`, or none when it is not one. */
function graphQLErrorMessages(body: unknown): string[] {
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors
    .map((e) => (e as { message?: unknown } | null)?.message)
    .filter((m): m is string => typeof m === 'string' && m.length > 0)
    .slice(0, 10);
}

/** The fetcher every data source uses: signs the body it sends, bounded by `timeoutMs`. */
export function signedFetcher(secret: string, dispatcher: Agent, timeoutMs: number): Fetcher {
  return async (url, init) => {
    const headers = new Headers(init?.headers);
    const body = typeof init?.body === 'string' ? init.body : (init?.body?.toString('utf8') ?? '');
    headers.set(
      SIGNATURE_HEADER,
      signRequest(secret, {
        callerHeader: headers.get(CALLER_HEADER) ?? '',
        requestId: headers.get(REQUEST_ID_HEADER) ?? '',
        body,
      }),
    );
    return fetch(url, {
      method: init?.method ?? 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
      // undici's dispatcher bounds the sockets per subgraph and keeps them alive.
      ...({ dispatcher } as object),
    });
  };
}
