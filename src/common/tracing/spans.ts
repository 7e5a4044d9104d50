import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
} from '@opentelemetry/api';

/**
 * The service's own spans, through the OpenTelemetry API: no-ops unless an SDK is registered
 * (tracing.ts; the tests register an in-memory one). A fire time's dispatch and its run share
 * one trace: the dispatch's context travels in the queue message (W3C `traceparent`).
 */
const tracer = () => trace.getTracer('jobs-service');

/** W3C trace context headers, as carried in a queue message. */
export type TraceCarrier = Record<string, string>;

/** The active context as a carrier; undefined when there is none to carry (tracing off). */
export function currentTraceCarrier(): TraceCarrier | undefined {
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return Object.keys(carrier).length > 0 ? carrier : undefined;
}

/** Runs `work` in a new active span, ended (with the error recorded) when it settles. */
export function inSpan<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
  options: { parent?: TraceCarrier; kind?: SpanKind } = {},
): Promise<T> {
  const parent = options.parent ? propagation.extract(ROOT_CONTEXT, options.parent) : context.active();
  return tracer().startActiveSpan(
    name,
    { attributes, kind: options.kind ?? SpanKind.INTERNAL },
    parent,
    async (span) => {
      try {
        return await work(span);
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
