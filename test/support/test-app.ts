import { ConsoleLogger, Logger, type INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import IORedis from 'ioredis';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createApp } from '../../src/app.setup';
import { systemActor } from '../../src/common/actor';
import { AppConfig } from '../../src/config/app-config';
import type { Env } from '../../src/config/config.schema';
import { UsersService } from '../../src/modules/auth/users.service';
import { createTestDatabase, type TestDatabase } from './test-database';

export const TEST_ADMIN = { username: 'test-admin', password: 'test-admin-password' };
export const TEST_USER = { username: 'test-user', password: 'test-user-password' };

export interface TestApp {
  app: INestApplication;
  /** Sends the superuser's bearer token by default. */
  http: TestAgent;
  /** No token. */
  anon: TestAgent;
  /** Sends the ordinary (non-superuser) user's token. */
  asUser: TestAgent;
  tokens: { admin: string; user: string };
  config: AppConfig;
  db: TestDatabase;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Adjust the validated config before the app is built (e.g. pretend to be embedded). */
  configure?: (config: AppConfig) => void;
  /** Skip creating and logging in the two standard users. */
  withoutUsers?: boolean;
  /** Let Nest log to stdout/stderr (tests that inspect log lines spy on them). */
  logs?: boolean;
  /** Share another test app's database (a second process of the service); it is not dropped on close. */
  database?: TestDatabase;
}

/**
 * The real application on a fresh database of its own, served to supertest, with a
 * superuser (bootstrapped from ADMIN_USERNAME/ADMIN_PASSWORD) and an ordinary user logged in.
 */
export async function createTestApp(
  label: string,
  env: Partial<Env> = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
  const db = options.database ?? (await createTestDatabase(label));
  const config = AppConfig.from(
    {},
    {
      DATABASE_URL: db.url,
      REDIS_URL: process.env.REDIS_URL,
      // Each database's queues are its own (on Redis; on PostgreSQL they live in the database).
      QUEUE_PREFIX: db.name.slice(-50),
      LOG_LEVEL: 'silent',
      JWT_SECRET: randomBytes(32).toString('hex'),
      ...(options.withoutUsers ? {} : { ADMIN_USERNAME: TEST_ADMIN.username, ADMIN_PASSWORD: TEST_ADMIN.password }),
      ...env,
    },
  );
  options.configure?.(config);
  // An earlier app built with `logger: false` silenced Nest's static logger for this whole file.
  if (options.logs) Logger.overrideLogger(new ConsoleLogger());
  const app = await createApp(config, { logger: options.logs ? new ConsoleLogger() : false });
  await app.init();
  const server = app.getHttpServer() as Server;
  const tokens = { admin: '', user: '' };
  if (!options.withoutUsers) {
    if (!options.database)
      await app.get(UsersService).create({ ...TEST_USER, isSuperuser: false }, systemActor('test'));
    tokens.admin = await login(server, TEST_ADMIN);
    tokens.user = await login(server, TEST_USER);
  }
  return {
    app,
    http: request.agent(server).set('Authorization', `Bearer ${tokens.admin}`),
    anon: request.agent(server),
    asUser: request.agent(server).set('Authorization', `Bearer ${tokens.user}`),
    tokens,
    config,
    db,
    close: async () => {
      await app.close();
      if (options.database) return;
      await db.drop();
      if (config.redisUrl) await dropRedisKeys(config.redisUrl, config.queuePrefix);
    },
  };
}

async function dropRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new IORedis(url);
  try {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

async function login(server: Server, credentials: { username: string; password: string }): Promise<string> {
  const res = await request(server).post('/api/v1/auth/login').send(credentials);
  if (res.status !== 200)
    throw new Error(`Test login of ${credentials.username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { access_token: string }).access_token;
}
