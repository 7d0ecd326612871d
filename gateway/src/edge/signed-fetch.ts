import { randomUUID } from 'node:crypto';
import { GraphQLError, Kind, parse, type DocumentNode, type SelectionSetNode } from 'graphql';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher, FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';
import type { Agent } from 'undici';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import {
  CALLER_HEADER,
  REQUEST_ID_HEADER,
  SIGNATURE_HEADER,
  TRACEPARENT_HEADER,
  currentTraceparent,
  encodeCaller,
  gatewaySubgraphFetchDuration,
  gatewaySubgraphFetchErrors,
  secondsSince,
  signRequest,
  tracer,
} from '@market/platform';
import type { GatewayContext } from '../context';
import type { FailureReason, SubgraphHealth } from './subgraph-health';
import { undiciTransport, type SubgraphFetcherKind } from './subgraph-transport';

type GatewayGraphQLResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;

/** The code of every error that stands for a subgraph the gateway could not get an answer from. */
export const SUBGRAPH_UNAVAILABLE = 'SUBGRAPH_UNAVAILABLE';

/** A fetch that would fill more places than this reports one error for all of them. */
const MAX_ERRORS = 100;

/**
 * Forwards a subgraph fetch and signs exactly the body it sends, so a subgraph can tell the gateway's
 * requests from anyone else's. Identity headers are always rebuilt from the verified token.
 */
export class SignedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    config: ConstructorParameters<typeof RemoteGraphQLDataSource<GatewayContext>>[0],
    private readonly subgraph: string,
    private readonly health: SubgraphHealth,
  ) {
    super(config);
  }

  /**
   * A subgraph that does not answer (timeout, refused, 5xx, or its circuit is open) becomes GraphQL
   * errors in its own response, one per field or entity this fetch was to fill, so the gateway
   * puts them at those paths with `serviceName`: the rest of the query is still served.
   */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    // One client span per fetch; the fetcher signs and forwards its traceparent.
    const span = tracer().startSpan(`fetch ${this.subgraph}`, { kind: SpanKind.CLIENT, attributes: { 'market.subgraph': this.subgraph } });
    const started = process.hrtime.bigint();
    try {
      return await context.with(trace.setSpan(context.active(), span), () => this.fetchGuarded(options, span));
    } finally {
      gatewaySubgraphFetchDuration.observe({ service: 'gateway', subgraph: this.subgraph }, secondsSince(started));
      span.end();
    }
  }

  private async fetchGuarded(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
    span: ReturnType<ReturnType<typeof tracer>['startSpan']>,
  ): Promise<GatewayGraphQLResponse> {
    const breaker = this.health.breaker(this.subgraph);
    const failed = (reason: FailureReason) => {
      gatewaySubgraphFetchErrors.inc({ service: 'gateway', subgraph: this.subgraph, reason });
      span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
    };
    if (!breaker.allow()) {
      failed('circuit_open');
      return unavailable(
        options,
        'circuit_open',
        `${this.subgraph} is failing; the gateway stopped calling it for a moment. Retry shortly.`,
      );
    }
    try {
      const response = await super.process(options);
      breaker.success();
      return response;
    } catch (err) {
      // The client's own input (a variable the subgraph refused) is not the subgraph's failure.
      if (err instanceof GraphQLError && err.extensions['code'] === 'BAD_USER_INPUT') {
        breaker.success();
        throw err;
      }
      const reason = failureReason(err);
      breaker.failure();
      failed(reason);
      this.health.failed(this.subgraph, reason, err);
      return unavailable(
        options,
        reason,
        reason === 'timeout'
          ? `${this.subgraph} did not answer in time. Retry shortly.`
          : `${this.subgraph} is unavailable. Retry shortly.`,
      );
    }
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    const ctx = context as Partial<GatewayContext> | undefined;
    headers.set(CALLER_HEADER, encodeCaller({ identity: ctx?.identity ?? null, ip: ctx?.ip ?? null, userAgent: ctx?.userAgent ?? null }));
    headers.set(REQUEST_ID_HEADER, ctx?.requestId ?? randomUUID());
  }

  /**
   * A subgraph answers 400 when the request reached it but its variables did not coerce, for
   * example a custom scalar the gateway cannot check (Date "2027-02-30"): that is the client's
   * input, so the client reads the subgraph's message as BAD_USER_INPUT, not an internal error.
   */
  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    if (response.status === 400) {
      const messages = graphQLErrorMessages(
        await response
          .clone()
          .json()
          .catch(() => null),
      );
      if (messages.length > 0) return new GraphQLError(messages.join(' '), { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return super.errorFromResponse(response);
  }
}

function failureReason(err: unknown): FailureReason {
  const name = (err as { name?: unknown } | null)?.name;
  const cause = (err as { cause?: { name?: unknown } } | null)?.cause;
  if (name === 'TimeoutError' || name === 'AbortError' || cause?.name === 'TimeoutError') return 'timeout';
  if (err instanceof GraphQLError) return 'bad_response';
  return 'unreachable';
}

/** A response standing for a subgraph that did not answer, with errors where its data would have gone. */
function unavailable(
  options: GraphQLDataSourceProcessOptions<GatewayContext>,
  reason: FailureReason,
  message: string,
): GatewayGraphQLResponse {
  const extensions = { code: SUBGRAPH_UNAVAILABLE, reason, retryable: true };
  const selection = fetchedDocument(options);
  if (!selection) return { errors: [{ message, extensions }] };
  const representations = (options.request.variables as { representations?: unknown } | undefined)?.representations;
  const paths: (string | number)[][] = [];
  if (Array.isArray(representations)) {
    // `_entities` fetch: the gateway maps ['_entities', i, field] to the i-th entity's field.
    representations.forEach((representation, i) => {
      const typename = (representation as { __typename?: unknown } | null)?.__typename;
      for (const key of selection.byType.get(typeof typename === 'string' ? typename : '') ?? []) paths.push(['_entities', i, key]);
    });
  } else {
    for (const key of selection.root) paths.push([key]);
  }
  if (paths.length === 0 || paths.length > MAX_ERRORS) return { errors: [{ message, extensions }] };
  return { errors: paths.map((path) => ({ message, path, extensions })) };
}

/** The fetch's operation: the planner's document when it exposes one, else parsed from the query (failures only). */
function fetchedDocument(options: GraphQLDataSourceProcessOptions<GatewayContext>): ReturnType<typeof selectedKeys> {
  try {
    const document =
      'document' in options && options.document ? options.document : options.request.query ? parse(options.request.query) : null;
    return document ? selectedKeys(document) : null;
  } catch {
    return null;
  }
}

/**
 * The response keys a fetch fills: the top-level fields of a root fetch, and for an `_entities`
 * fetch the fields asked of each entity type (its inline fragments).
 */
function selectedKeys(document: DocumentNode): { root: string[]; byType: Map<string, string[]> } | null {
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return null;
  const keysOf = (set: SelectionSetNode, into: string[] = []): string[] => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        if (key !== '__typename' && !into.includes(key)) into.push(key);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) keysOf(selection.selectionSet, into);
    }
    return into;
  };
  const byType = new Map<string, string[]>();
  const entities = operation.selectionSet.selections.find((s) => s.kind === Kind.FIELD && s.name.value === '_entities');
  if (entities?.kind === Kind.FIELD && entities.selectionSet) {
    for (const selection of entities.selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT && selection.typeCondition) {
        byType.set(
          selection.typeCondition.name.value,
          keysOf(selection.selectionSet, [...(byType.get(selection.typeCondition.name.value) ?? [])]),
        );
      }
    }
  }
  return { root: keysOf(operation.selectionSet), byType };
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

/**
 * What goes out to a subgraph, whatever sends it: the data source's headers, the gateway's own trace
 * context only (a client's is dropped), and the signature over caller, request id, body and trace.
 */
function signedRequest(
  secret: string,
  init: FetcherRequestInit | undefined,
): { method: string; headers: Record<string, string>; body: string } {
  const headers = plainHeaders(init?.headers);
  const body = typeof init?.body === 'string' ? init.body : (init?.body?.toString('utf8') ?? '');
  delete headers[TRACEPARENT_HEADER];
  delete headers['tracestate'];
  const traceparent = currentTraceparent();
  if (traceparent) headers[TRACEPARENT_HEADER] = traceparent;
  headers[SIGNATURE_HEADER] = signRequest(secret, {
    callerHeader: headers[CALLER_HEADER] ?? '',
    requestId: headers[REQUEST_ID_HEADER] ?? '',
    body,
    traceparent,
  });
  return { method: init?.method ?? 'POST', headers, body };
}

/** The fetcher every data source uses: signs the body it sends, bounded by `timeoutMs`. */
export function signedFetcher(secret: string, dispatcher: Agent, timeoutMs: number, kind: SubgraphFetcherKind = 'undici'): Fetcher {
  if (kind === 'undici') {
    const send = undiciTransport(dispatcher, timeoutMs);
    return async (url, init) => send(url, signedRequest(secret, init));
  }
  return async (url, init) =>
    fetch(url, {
      ...signedRequest(secret, init),
      signal: AbortSignal.timeout(timeoutMs),
      // undici's dispatcher bounds the sockets per subgraph and keeps them alive.
      ...({ dispatcher } as object),
    });
}

/** The request's headers as one plain object with lower-case names (RemoteGraphQLDataSource passes a plain object). */
export function plainHeaders(headers: FetcherRequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  const iterable = headers as unknown as { [Symbol.iterator]?: unknown };
  const entries: Iterable<[string, string]> =
    typeof iterable[Symbol.iterator] === 'function'
      ? (headers as unknown as Iterable<[string, string]>)
      : Object.entries(headers as Record<string, string>);
  for (const [name, value] of entries) out[name.toLowerCase()] = value;
  return out;
}
