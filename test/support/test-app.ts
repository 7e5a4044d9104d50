import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createApp } from '../../src/app.setup';
import { AppConfig } from '../../src/config/app-config';
import type { Env } from '../../src/config/config.schema';
import { createTestDatabase, type TestDatabase } from './test-database';

export interface TestApp {
  app: INestApplication;
  http: TestAgent;
  config: AppConfig;
  db: TestDatabase;
  close(): Promise<void>;
}

/** The real application on a fresh database of its own, served to supertest. */
export async function createTestApp(label: string, env: Partial<Env> = {}): Promise<TestApp> {
  const db = await createTestDatabase(label);
  const config = AppConfig.from({}, { DATABASE_URL: db.url, REDIS_URL: process.env.REDIS_URL, LOG_LEVEL: 'silent', ...env });
  const app = await createApp(config, { logger: false });
  await app.init();
  return {
    app,
    http: request(app.getHttpServer()),
    config,
    db,
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}
