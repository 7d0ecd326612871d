import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from '@market/platform';
import type { GatewayContext } from '../context';

/** One JSON log line per GraphQL request: request id, user, operation, duration, error count. */
export function requestLogging(logger: Logger): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse(ctx) {
          logger.info(
            {
              requestId: ctx.contextValue.requestId,
              userId: ctx.contextValue.identity?.userId,
              operation: ctx.operationName ?? ctx.request.operationName,
              ms: Math.round((performance.now() - started) * 1000) / 1000,
              errors: ctx.errors?.length ?? 0,
            },
            'graphql request',
          );
        },
      };
    },
  };
}
