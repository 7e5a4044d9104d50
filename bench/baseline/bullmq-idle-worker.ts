import { Worker, createPostgresBackend } from 'bullmq';
import { Pool } from 'pg';

/**
 * The `idle` baseline: BullMQ alone on the PostgreSQL backend, one idle worker on the
 * `default` queue with the product's lock settings (WORKER_LOCK_SECONDS 10: lockDuration
 * 10 s, stalledInterval 5 s). BENCH_DATABASE_URL configures it.
 */
async function main(): Promise<void> {
  const pool = new Pool({
    connectionString: process.env.BENCH_DATABASE_URL,
    max: 9,
    options: '-c search_path=bullmq',
    application_name: 'jobs-bench:idle-baseline',
  });
  const worker = new Worker(
    'default',
    async () => undefined,
    { connection: pool, concurrency: 5, lockDuration: 10_000, stalledInterval: 5_000 },
    createPostgresBackend as never,
  );
  worker.on('error', (error) => process.stderr.write(`${error.message}\n`));
  await worker.waitUntilReady();
  process.stdout.write('idle worker ready\n');
  process.on(
    'SIGTERM',
    () =>
      void worker
        .close()
        .then(() => pool.end())
        .then(() => process.exit(0)),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
