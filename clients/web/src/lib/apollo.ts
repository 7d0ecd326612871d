import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, Observable, split, type FetchResult, type Operation } from '@apollo/client';
import { setContext } from '@apollo/client/link/context';
import { onError } from '@apollo/client/link/error';
import { getMainDefinition } from '@apollo/client/utilities';
import { Kind } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { GRAPHQL_URL, GRAPHQL_WS_URL } from '../config';
import { accessToken, getSession, onSessionChange, refresh } from './auth';
import { documentText } from './documents';

/** Socket state for the UI (the header shows it) and the tests. */
export type SocketState = 'connecting' | 'connected' | 'closed';
const socketListeners = new Set<(s: SocketState) => void>();
export let socketState: SocketState = 'connecting';
/** How many times the socket connected (the header exposes it for the browser tests). */
export let socketConnections = 0;
function setSocketState(s: SocketState) {
  socketState = s;
  for (const l of socketListeners) l(s);
}
export function onSocketState(listener: (s: SocketState) => void): () => void {
  socketListeners.add(listener);
  return () => socketListeners.delete(listener);
}

/** Close codes after which the token is refreshed before the socket reconnects. */
const AUTH_CLOSE_CODES = new Set([4401, 4403]);
let mustRefresh = false;

/**
 * One graphql-ws client for the tab. The token goes in `connectionParams`, read anew on every
 * (re)connection; when the gateway closes with 4401/4403 (token expired, session ended) the next
 * connection first refreshes the token. graphql-ws treats 4401 as fatal by default: `shouldRetry`
 * retries every close, and the subscriptions resume on the new socket.
 */
export const wsClient: Client = createClient({
  url: GRAPHQL_WS_URL,
  lazy: true,
  retryAttempts: Infinity,
  shouldRetry: () => true,
  retryWait: async (retries) => new Promise((r) => setTimeout(r, Math.min(500 * 2 ** retries, 10_000))),
  connectionParams: async () => {
    if (mustRefresh) {
      mustRefresh = false;
      await refresh();
    }
    const token = await accessToken();
    return token ? { authorization: `Bearer ${token}` } : {};
  },
  on: {
    connecting: () => setSocketState('connecting'),
    connected: () => {
      socketConnections += 1;
      setSocketState('connected');
    },
    closed: (event) => {
      if (AUTH_CLOSE_CODES.has((event as CloseEvent).code)) mustRefresh = true;
      setSocketState('closed');
    },
  },
});

// Signing in or out changes who the socket speaks for: reconnect with the new identity.
let lastUser = getSession()?.userId ?? null;
onSessionChange((session) => {
  const user = session?.userId ?? null;
  if (user !== lastUser) {
    lastUser = user;
    wsClient.terminate();
  }
});

/** A link that runs subscriptions on the graphql-ws client, with the manifest's text of each document. */
class WebSocketLink extends ApolloLink {
  override request(operation: Operation): Observable<FetchResult> {
    return new Observable((sink) =>
      wsClient.subscribe<FetchResult['data']>(
        { query: documentText(operation.query), variables: operation.variables, operationName: operation.operationName },
        {
          next: (value) => sink.next(value as FetchResult),
          complete: () => sink.complete(),
          error: (err) =>
            sink.error(
              err instanceof Error
                ? err
                : new Error(Array.isArray(err) ? err.map((e) => e.message).join('; ') : 'The live connection failed'),
            ),
        },
      ),
    );
  }
}

const auth = setContext(async (_operation, { headers }) => {
  const token = await accessToken();
  return { headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } };
});

/**
 * A request refused as UNAUTHENTICATED (the token expired in flight, or the clock is off) is retried
 * once after a refresh; when the refresh fails the session is over and the retry goes anonymous.
 */
const retryAfterRefresh = onError(({ graphQLErrors, networkError, operation, forward }) => {
  const unauthenticated =
    graphQLErrors?.some((e) => e.extensions?.['code'] === 'UNAUTHENTICATED') ||
    (networkError !== undefined && networkError !== null && 'statusCode' in networkError && networkError.statusCode === 401);
  if (!unauthenticated || !getSession() || operation.getContext()['retriedAfterRefresh']) return;
  operation.setContext({ retriedAfterRefresh: true });
  return new Observable<FetchResult>((sink) => {
    let inner: { unsubscribe(): void } | null = null;
    void refresh().then(() => {
      inner = forward(operation).subscribe(sink);
    });
    return () => inner?.unsubscribe();
  });
});

const http = new HttpLink({ uri: GRAPHQL_URL, print: (ast, print) => (ast.kind === Kind.DOCUMENT ? documentText(ast) : print(ast)) });

const link = split(
  ({ query }) => {
    const def = getMainDefinition(query);
    return def.kind === 'OperationDefinition' && def.operation === 'subscription';
  },
  new WebSocketLink(),
  ApolloLink.from([retryAfterRefresh, auth, http]),
);

export const client = new ApolloClient({
  link,
  cache: new InMemoryCache(),
  defaultOptions: { watchQuery: { fetchPolicy: 'cache-and-network' } },
});
