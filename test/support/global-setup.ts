import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres';

/**
 * Embedded mode (no DATABASE_URL): one embedded PostgreSQL, started through the product's own
 * EmbeddedPostgres, serves every suite; each suite still creates and drops its own database.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) return;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobs-test-pg-'));
  fs.chmodSync(dataDir, 0o755);
  const handle = await new EmbeddedPostgres(dataDir).acquire();
  process.env.JOBS_TEST_PG_URL = handle.url;
  process.env.JOBS_TEST_PG_DIR = dataDir;
}
