import { GraphQLError } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context';

export const SUBSCRIPTION_OVER_HTTP_MESSAGE =
  'Subscriptions are not served as plain HTTP requests: open a WebSocket to /graphql with the graphql-transport-ws protocol (graphql-ws), or an event stream (GraphQL over Server-Sent Events, graphql-sse: GET or POST /graphql with `Accept: text/event-stream`).';

/**
 * A subscription sent as a plain POST gets a clear 400 naming the transports that serve it, instead
 * of the gateway's internal "not supported" failure.
 */
export function refuseHttpSubscriptions(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(ctx) {
          if (ctx.operation?.operation !== 'subscription') return;
          throw new GraphQLError(SUBSCRIPTION_OVER_HTTP_MESSAGE, {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          });
        },
      };
    },
  };
}
