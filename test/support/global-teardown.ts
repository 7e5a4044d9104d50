import * as fs from 'node:fs';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const dataDir = process.env.JOBS_TEST_PG_DIR;
  if (!dataDir) return;
  await new EmbeddedPostgres(dataDir).stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
