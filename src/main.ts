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
  if (config.hasRole('api')) {
    await app.listen(config.port, config.host);
    const base = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
    logger.log(`API on ${base}/api/v1 — Swagger UI: ${base}/docs`);
  } else {
    await app.init();
  }
  logger.log(`Roles: ${[...config.roles].join(', ')}; database: ${config.embedded ? `embedded under ${config.dataDir}` : 'external'}`);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
