// First import of main.ts: tracing (when OTEL_EXPORTER_OTLP_ENDPOINT is set) must patch http,
// express, pg and ioredis before anything loads them.
import { startTracing } from './common/tracing/tracing';

startTracing();
