import { type INestApplication, type LoggerService } from '@nestjs/common';
import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { serveConsole } from './console/console-static';
import { appVersion } from './common/app-version';
import { DomainErrorFilter } from './common/domain-error.filter';
import { describeErrorResponses, describePathIds } from './common/openapi-examples';
import { refuseDeepJson } from './common/json-depth';
import { REQUEST_ID_HEADER } from './common/logging/logging.module';
import { RunLogCapturingLogger } from './common/logging/run-log-capture';
import { DEFAULT_BODY_LIMIT, routeBodyParsers } from './common/body-limits';
import { createValidationPipe } from './common/validation';
import { METRICS_SECURITY } from './modules/metrics/metrics.controller';
import { httpMetricsMiddleware } from './modules/metrics/http-metrics.middleware';
import { MetricsService } from './modules/metrics/metrics.service';

export const API_PREFIX = 'api/v1';
/** Served outside /api/v1, by every process whatever its roles. */
const OPS_PATHS = ['health', 'health/{*path}', 'metrics'];

export interface CreateAppOptions {
  /** false: no Nest logs (tests); a LoggerService: that one; default: structured JSON logs (pino). */
  logger?: false | LoggerService;
  /** Where the pino JSON lines go (tests); default stdout. */
  logDestination?: DestinationStream;
}

/** Builds (but does not start) the application; tests use it with supertest. */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, { destination: options.logDestination }),
    {
      logger: options.logger,
      bufferLogs: options.logger === undefined,
      bodyParser: false,
      // A failed initialisation throws (main.ts then stops the embedded PostgreSQL) instead of process.abort().
      abortOnError: false,
    },
  );
  // Every Nest Logger line also reaches the log of the run it is logged in (captureRunLog),
  // whatever the process's output is (none with `logger: false`).
  const output = options.logger === undefined ? app.get(PinoNestLogger) : options.logger || undefined;
  app.useLogger(new RunLogCapturingLogger(output));
  // No ETag on answers: hashing every JSON body (sha1) costs each request, and no client of this
  // API revalidates (the console's static files keep theirs: serve-static sets its own).
  app.getHttpAdapter().getInstance().set('etag', false);
  app.use(httpMetricsMiddleware(app.get(MetricsService)));
  // Before everything else, so that a preflight is answered (204) without a token or a route.
  if (config.corsOrigins.length > 0) app.enableCors(corsOptions(config.corsOrigins));
  // Plain-HTTP deployments are common here (behind a proxy or on localhost): upgrading the
  // Swagger UI's asset requests to https would break it.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  // `verify` (which Nest's types reserve for rawBody, unused here) refuses deeply nested JSON and objects with too many keys before they are parsed.
  for (const route of routeBodyParsers(API_PREFIX)) app.use(route.paths, route.parser);
  const jsonOptions = { limit: DEFAULT_BODY_LIMIT, verify: refuseDeepJson };
  app.useBodyParser('json', jsonOptions);
  app.setGlobalPrefix(API_PREFIX, { exclude: OPS_PATHS });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new DomainErrorFilter());
  app.enableShutdownHooks();
  if (config.hasRole('api')) {
    setupSwagger(app);
    serveConsole(app);
  }
  return app;
}

/**
 * CORS for the origins of CORS_ORIGINS (`*`: any). No credentials (the API takes bearer tokens,
 * not cookies); the request id is readable by the page. A preflight from another origin is
 * answered without Access-Control-Allow-Origin, which the browser takes as a refusal.
 */
export function corsOptions(origins: string[]): CorsOptions {
  return {
    origin: origins.includes('*') ? '*' : origins,
    credentials: false,
    allowedHeaders: ['authorization', 'content-type', REQUEST_ID_HEADER],
    exposedHeaders: [REQUEST_ID_HEADER],
    maxAge: 600,
  };
}

export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
}

/** Every tag an operation may carry (`@ApiTags`), with what it groups; the test requires each used tag here. */
const OPENAPI_TAGS: [name: string, description: string][] = [
  [
    'jobs',
    'Scheduled jobs: their schedule (interval, daily, weekly, monthly, cron, in a time zone), task, policies and statistics; ' +
      'pause, resume, run now, backfill, overdue jobs and the overview.',
  ],
  ['executions', 'Runs of jobs (scheduled, manual, retry, backfill): their status, result and log lines; cancel one.'],
  ['tasks', 'The task handlers a job can name in task_name, with the JSON Schema of their kwargs.'],
  ['auth', 'Log in for a bearer token, log out, change your own password, who am I.'],
  ['users', 'Users and their rights (superuser only).'],
  ['secrets', 'The write-only secrets store that task kwargs reference as {"$secret": "NAME"} (superuser only).'],
  [
    'notification-channels',
    'Where job alerts go: webhooks, Slack, email; test messages and deliveries (superuser only).',
  ],
  ['audit', 'The audit trail of every change and login (superuser only).'],
  ['operations', 'Liveness, readiness and Prometheus metrics, outside /api/v1, in every process.'],
];

/**
 * Operation ids are camelCase verbNoun and stable (generated clients name their methods after
 * them): `list<Things>` for a collection, `get|create|update|delete<Thing>` for one, and the
 * action's verb otherwise (`pauseJob`, `executeJob`, `cancelExecution`, `backfillJob`). Each
 * route sets its own with `@ApiOperation({ operationId })`; one without falls back to its
 * method name, and the OpenAPI e2e test requires every id to be unique and of that form.
 */
const operationIdFactory = (_controllerKey: string, methodKey: string): string => methodKey;

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Jobs service')
    .setDescription(
      'Scheduled jobs: define them on a cycle, watch every run, manage them. Every endpoint under /api/v1 except ' +
        'POST /api/v1/auth/login needs a bearer token from that login; changes need a superuser. Errors are always ' +
        '`{statusCode, error, code, message}`, and a 400 adds `details: [{field, message}]`.',
    )
    .setVersion(appVersion())
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'An access token from POST /api/v1/auth/login',
    })
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN (GET /metrics, when it is set)' },
      METRICS_SECURITY,
    );
  for (const [name, description] of OPENAPI_TAGS) builder.addTag(name, description);
  return describePathIds(
    describeErrorResponses(SwaggerModule.createDocument(app, builder.build(), { operationIdFactory })),
  );
}

/**
 * The OpenAPI document without a database: the modules are scanned (preview mode) but no
 * provider is created, so nothing connects anywhere. `npm run openapi` writes it to openapi.json.
 */
export async function createOpenApiDocument(config: AppConfig): Promise<OpenAPIObject> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  app.setGlobalPrefix(API_PREFIX, { exclude: OPS_PATHS });
  try {
    return buildOpenApiDocument(app);
  } finally {
    await app.close();
  }
}
