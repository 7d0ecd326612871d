import { context, propagation, trace, SpanKind, SpanStatusCode, type Context, type Span, type Attributes } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';

export { SpanKind, SpanStatusCode, type Span, type Context as TraceContext };

/** The W3C header that carries a trace from the gateway to a subgraph and through an event. */
export const TRACEPARENT_HEADER = 'traceparent';

export interface TracingOptions {
  /** `service.name` of every span of this process (the embedded stack runs all services as "market"). */
  serviceName: string;
  /** OTLP/HTTP collector (`OTEL_EXPORTER_OTLP_ENDPOINT`); spans go to `<endpoint>/v1/traces`. */
  otlpEndpoint?: string | undefined;
  /** Further processors (tests hand an in-memory exporter here). */
  spanProcessors?: SpanProcessor[];
}

export interface Tracing {
  /** Exports what is buffered (tests, shutdown). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

let active: { provider: NodeTracerProvider; tracing: Tracing } | null = null;

/**
 * Starts the OpenTelemetry SDK for this process: W3C trace context, AsyncLocalStorage context, spans
 * exported over OTLP/HTTP. Off (no provider, every span a no-op) unless an endpoint or a processor is
 * given; a second call returns the first one's handle, since the global provider is set once.
 */
export function startTracing(options: TracingOptions): Tracing | null {
  if (active) return active.tracing;
  const processors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  if (options.otlpEndpoint) {
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.otlpEndpoint.replace(/\/+$/, '')}/v1/traces` })));
  }
  if (processors.length === 0) return null;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: processors,
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  const tracing: Tracing = {
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
      active = null;
    },
  };
  active = { provider, tracing };
  return tracing;
}

export const tracer = () => trace.getTracer('market');

/** The active span's `traceparent`, or undefined when tracing is off or no span is active. */
export function currentTraceparent(ctx: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier[TRACEPARENT_HEADER];
}

/** The context a `traceparent` stands for (only that header: tracestate and baggage are never taken from outside). */
export function contextFromTraceparent(traceparent: string | null | undefined, base: Context = context.active()): Context {
  if (!traceparent) return base;
  return propagation.extract(base, { [TRACEPARENT_HEADER]: traceparent });
}

/**
 * Runs `fn` inside a new span (child of `parent`, else of the active context), ends it, and records
 * a thrown error on it.
 */
export async function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, ...(options.attributes ? { attributes: options.attributes } : {}) },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw err;
  } finally {
    span.end();
  }
}

/** `trace_id`/`span_id` of the active span, for log lines (empty when tracing is off). */
export function logTraceFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId, traceFlags } = span.spanContext();
  if (!traceFlags && traceId === '00000000000000000000000000000000') return {};
  return { trace_id: traceId, span_id: spanId };
}
