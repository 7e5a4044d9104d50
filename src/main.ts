import { Logger } from '@nestjs/common';
import { AppConfig, ConfigError } from './config/app-config';
import { createApp } from './app.setup';

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
  const app = await createApp(config);
  const logger = new Logger('Main');
  const base = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
  // Every role listens on PORT: processes without the api role serve only /health, /health/ready
  // and /metrics, and carry on without them when PORT is taken (several workers on one host).
  try {
    await app.listen(config.port, config.host);
    if (config.hasRole('api')) {
      logger.log(`API on ${base}/api/v1 — Swagger UI: ${base}/docs`);
      logger.log(`Log in: POST ${base}/api/v1/auth/login {"username", "password"}, then send its access_token in the Authorization header (Swagger UI: Authorize)`);
    }
    logger.log(`Health: ${base}/health, ${base}/health/ready — metrics: ${base}/metrics${config.metricsToken ? ' (bearer METRICS_TOKEN)' : ''}`);
  } catch (error) {
    if (config.hasRole('api') || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    logger.warn(`Port ${config.port} is taken: this process serves no /health or /metrics (give it a PORT of its own)`);
  }
  logger.log(`Roles: ${[...config.roles].join(', ')}; database: ${config.embedded ? `embedded under ${config.dataDir}` : 'external'}`);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
