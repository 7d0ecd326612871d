import { context, trace, SpanKind } from '@opentelemetry/api';
import { tracer } from './tracing';

/** Statements longer than this are cut in spans (a span is not a query log). */
const MAX_STATEMENT = 2_000;

/**
 * A span for one SQL statement the Prisma client reported (its `query` event, which comes after the
 * statement with its duration): placed under the active span, ending now, starting `durationMs` ago.
 * Nothing is made when no request or event is being traced.
 */
export function querySpan(service: string, sql: string, durationMs: number): void {
  const parent = trace.getActiveSpan();
  if (!parent || !parent.isRecording()) return;
  const end = Date.now();
  const span = tracer().startSpan(
    'db.query',
    {
      kind: SpanKind.CLIENT,
      startTime: end - durationMs,
      attributes: { 'db.system': 'postgresql', 'db.statement': sql.slice(0, MAX_STATEMENT), 'market.service': service },
    },
    context.active(),
  );
  span.end(end);
}
