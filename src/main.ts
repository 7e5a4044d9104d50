import './node-version-guard';
import './tracing-preload';
import { Logger, type INestApplication } from '@nestjs/common';
import * as net from 'node:net';
import { AppConfig, ConfigError } from './config/app-config';
import { createApp } from './app.setup';
import { DatabaseServer, stopEmbeddedStartedHere } from './database/database-server';
import { WorkerProcessesService } from './modules/executions/worker/worker-processes.service';

/** SIGTERM: the whole shutdown ends within SHUTDOWN_TIMEOUT_SECONDS plus this, whatever hangs. */
const SHUTDOWN_MARGIN_SECONDS = 5;
/** How long a forced exit may spend stopping the embedded PostgreSQL. */
const FORCED_STOP_MS = 3000;
/**
 * How long a failed start may spend stopping the embedded PostgreSQL it started: nothing else is
 * waiting for it, and a loaded machine can take several seconds for the check and the shutdown.
 */
const FAILED_START_STOP_MS = 12_000;

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = AppConfig.fromProcessEnv();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  // The common start-up failure, found before anything (the embedded PostgreSQL) is started.
  if (config.hasRole('api')) await ensurePortFree(config.port, config.host);
  const app = await createApp(config);
  installShutdownDeadline(app, config);
  const logger = new Logger('Main');
  // A worker process started by another one (WorkerProcessesService): no HTTP; it stops when
  // told (SIGTERM) or when its parent is gone (the IPC channel closes).
  const parent = config.workerChildOf;
  if (parent !== undefined) {
    await app.init();
    process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
    logger.log(`Worker process of ${parent}: roles ${[...config.roles].join(', ')}`);
    return;
  }
  const base = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
  // Every role listens on PORT: processes without the api role serve only /health, /health/ready
  // and /metrics, and carry on without them when PORT is taken (several workers on one host).
  try {
    await app.listen(config.port, config.host);
    if (config.hasRole('api')) {
      logger.log(`API on ${base}/api/v1 — Swagger UI: ${base}/docs — web console: ${base}/console`);
      logger.log(
        `Log in: POST ${base}/api/v1/auth/login {"username", "password"}, then send its access_token in the Authorization header (Swagger UI: Authorize)`,
      );
    }
    logger.log(
      `Health: ${base}/health, ${base}/health/ready — metrics: ${base}/metrics${config.metricsToken ? ' (bearer METRICS_TOKEN)' : ''}`,
    );
  } catch (error) {
    if (config.hasRole('api') || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
      // Close what has started (workers, queue and database pools) before the embedded
      // PostgreSQL is stopped, so that no connection is cut under a client still using it.
      await boundedStop(app.close(), FAILED_START_STOP_MS);
      throw portError(error, config.port);
    }
    logger.warn(`Port ${config.port} is taken: this process serves no /health or /metrics (give it a PORT of its own)`);
  }
  logger.log(
    `Roles: ${[...config.roles].join(', ')}; database: ${config.embedded ? `embedded under ${config.dataDir}` : 'external'}`,
  );
  if (config.hasRole('worker')) app.get(WorkerProcessesService).start(process.argv[1]);
}

/**
 * Nest's shutdown hooks (enableShutdownHooks) drain the workers for SHUTDOWN_TIMEOUT_SECONDS and
 * close everything; this deadline ends the process even when something hangs in that close (a
 * database that is away): it stops the embedded PostgreSQL this process started and exits.
 */
function installShutdownDeadline(app: INestApplication, config: AppConfig): void {
  const limitSeconds = config.shutdownTimeoutSeconds + SHUTDOWN_MARGIN_SECONDS;
  const arm = (signal: NodeJS.Signals) => {
    process.removeListener('SIGTERM', arm);
    process.removeListener('SIGINT', arm);
    const timer = setTimeout(() => {
      new Logger('Main').error(
        `${signal}: shutdown did not finish within ${limitSeconds} s (SHUTDOWN_TIMEOUT_SECONDS + ${SHUTDOWN_MARGIN_SECONDS}); exiting now`,
      );
      void boundedStop(app.get(DatabaseServer).stopEmbedded()).finally(() => process.exit(1));
    }, limitSeconds * 1000);
    timer.unref();
  };
  process.once('SIGTERM', arm);
  process.once('SIGINT', arm);
}

function boundedStop(stopping: Promise<unknown>, withinMs = FORCED_STOP_MS): Promise<unknown> {
  return Promise.race([
    stopping.catch(() => undefined),
    new Promise<void>((resolve) => setTimeout(resolve, withinMs).unref()),
  ]);
}

/** Refuses to start when PORT is taken, naming the port and the variable. */
async function ensurePortFree(port: number, host: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error) => reject(portError(error, port)));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** A start-up failure whose message says it all (no stack trace). */
class StartupError extends Error {}

function portError<E>(error: E, port: number): E | StartupError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return new StartupError(
      `Port ${port} is already in use: set PORT to a free port or stop the program that listens on it`,
    );
  if (code === 'EACCES')
    return new StartupError(`Port ${port} needs privileges this process does not have: set PORT to a port above 1023`);
  return error;
}

bootstrap().catch(async (error: unknown) => {
  const text =
    error instanceof StartupError
      ? error.message
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  process.stderr.write(`Start-up failed: ${text}\n`);
  // A start that fails after the embedded PostgreSQL is up must not leave it running.
  await boundedStop(
    stopEmbeddedStartedHere((message) => process.stderr.write(`${message}\n`)),
    FAILED_START_STOP_MS,
  );
  process.exit(1);
});
