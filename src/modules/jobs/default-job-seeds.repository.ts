import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, QueryRunner } from 'typeorm';

/** Arbitrary constant: the advisory lock that serialises seeding across processes. */
const SEED_LOCK = 727_002;

/** Which default jobs were created once (`default_job_seeds`), under a cross-process lock. */
@Injectable()
export class DefaultJobSeedsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Runs `work` holding the seeding lock on a connection of its own. */
  async withSeedLock<T>(work: (seeds: SeedLedger) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [SEED_LOCK]);
      return await work(new SeedLedger(runner));
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [SEED_LOCK]).catch(() => undefined);
      await runner.release();
    }
  }
}

export class SeedLedger {
  constructor(private readonly runner: QueryRunner) {}

  async seededNames(): Promise<Set<string>> {
    const rows = (await this.runner.query(`SELECT name FROM default_job_seeds`)) as { name: string }[];
    return new Set(rows.map((r) => r.name));
  }

  async markSeeded(name: string): Promise<void> {
    await this.runner.query(`INSERT INTO default_job_seeds (name) VALUES ($1) ON CONFLICT DO NOTHING`, [name]);
  }
}
