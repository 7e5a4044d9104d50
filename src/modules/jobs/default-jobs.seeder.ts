import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { systemActor } from '../../common/actor';
import { DEFAULT_JOBS } from '../tasks/default-jobs';
import { JobsRepository } from './jobs.repository';
import { JobsService } from './jobs.service';

/** Arbitrary constant: the advisory lock that serialises seeding across processes. */
const SEED_LOCK = 727_002;

/**
 * Creates the SPEC's default jobs once, at the first start. Each default is remembered in
 * `default_job_seeds`, so restarts and concurrent starts never duplicate it, and an admin's
 * later change — edited, disabled or deleted — is never undone.
 */
@Injectable()
export class DefaultJobsSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(DefaultJobsSeeder.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jobs: JobsService,
    private readonly jobsRepository: JobsRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const created = await this.seed();
    if (created.length > 0) this.logger.log(`Created the default jobs: ${created.join(', ')}`);
  }

  async seed(): Promise<string[]> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const created: string[] = [];
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [SEED_LOCK]);
      const seeded = new Set<string>((await runner.query(`SELECT name FROM default_job_seeds`)).map((r: { name: string }) => r.name));
      for (const definition of DEFAULT_JOBS) {
        if (seeded.has(definition.name)) continue;
        // A crash after the job was created but before the seed was recorded leaves the job: keep it.
        if (!(await this.jobsRepository.findByName(definition.name))) {
          await this.jobs.create({ ...definition }, systemActor('defaults'));
          created.push(definition.name);
        }
        await runner.query(`INSERT INTO default_job_seeds (name) VALUES ($1) ON CONFLICT DO NOTHING`, [definition.name]);
      }
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [SEED_LOCK]).catch(() => undefined);
      await runner.release();
    }
    return created;
  }
}
