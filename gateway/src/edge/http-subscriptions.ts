import { GraphQLError } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context';

export const SUBSCRIPTION_OVER_HTTP_MESSAGE =
  'Subscriptions are not served over HTTP POST: open a WebSocket to /graphql with the graphql-transport-ws protocol (graphql-ws) and subscribe there.';

/**
 * A subscription sent as a plain POST gets a clear 400 naming the transport that serves it, instead
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
