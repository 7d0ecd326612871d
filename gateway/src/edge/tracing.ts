import type { NextFunction, Request, Response } from 'express';
import type { ApolloServerPlugin } from '@apollo/server';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { tracer } from '@market/platform';
import type { GatewayContext } from '../context';

/**
 * The server span of each request to /graphql, active while it runs, so the gateway's own spans
 * (plan, execute) and each subgraph fetch are its children. A trace always starts here: a client's
 * `traceparent` is not followed, so nobody outside decides what a trace id means to us.
 */
export function traceRequests() {
  return (req: Request, res: Response, next: NextFunction) => {
    const span = tracer().startSpan(
      `${req.method} /graphql`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'market.service': 'gateway' } },
      ROOT_CONTEXT,
    );
    res.on('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(ROOT_CONTEXT, span), next);
  };
}

/** Names the request's span after its operation ("query GetListing") once it is known. */
export function operationSpanNames(label: (name: string | null | undefined) => string): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(ctx) {
          const span = trace.getActiveSpan();
          if (!span) return;
          const type = ctx.operation?.operation ?? 'unknown';
          const name = label(ctx.operationName);
          span.updateName(`${type} ${name}`);
          span.setAttributes({ 'graphql.operation.type': type, 'graphql.operation.name': name });
        },
        async willSendResponse(ctx) {
          if (ctx.errors?.length) trace.getActiveSpan()?.setStatus({ code: SpanStatusCode.ERROR });
        },
      };
    },
  };
}
