import { type INestApplication, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { DomainErrorFilter } from './common/domain-error.filter';
import { refuseDeepJson } from './common/json-depth';
import { RunLogCapturingLogger } from './common/logging/run-log-capture';
import { DEFAULT_BODY_LIMIT, smallBodyParser } from './common/body-limits';
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
  app.use(httpMetricsMiddleware(app.get(MetricsService)));
  // Plain-HTTP deployments are common here (behind a proxy or on localhost): upgrading the
  // Swagger UI's asset requests to https would break it.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  // `verify` (which Nest's types reserve for rawBody, unused here) refuses deeply nested JSON and objects with too many keys before they are parsed.
  const small = smallBodyParser(API_PREFIX);
  app.use(small.paths, small.parser);
  const jsonOptions = { limit: DEFAULT_BODY_LIMIT, verify: refuseDeepJson };
  app.useBodyParser('json', jsonOptions);
  app.setGlobalPrefix(API_PREFIX, { exclude: OPS_PATHS });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new DomainErrorFilter());
  app.enableShutdownHooks();
  if (config.hasRole('api')) setupSwagger(app);
  return app;
}

export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Jobs service')
      .setDescription('Scheduled jobs: define them on a cycle, watch every run, manage them.')
      .setVersion('1.0')
      .addBearerAuth({
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'An access token from POST /api/v1/auth/login',
      })
      .addBearerAuth(
        { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN (GET /metrics, when it is set)' },
        METRICS_SECURITY,
      )
      .build(),
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
