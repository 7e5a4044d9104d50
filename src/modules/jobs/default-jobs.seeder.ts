import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { systemActor } from '../../common/actor';
import { DEFAULT_JOBS } from './default-jobs';
import { DefaultJobSeedsRepository } from './default-job-seeds.repository';
import { JobsRepository } from './jobs.repository';
import { JobsService } from './jobs.service';

/**
 * Creates the SPEC's default jobs once, at the first start. Each default is remembered in
 * `default_job_seeds`, so restarts and concurrent starts never duplicate it, and an admin's
 * later change — edited, disabled or deleted — is never undone.
 */
@Injectable()
export class DefaultJobsSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(DefaultJobsSeeder.name);

  constructor(
    private readonly seeds: DefaultJobSeedsRepository,
    private readonly jobs: JobsService,
    private readonly jobsRepository: JobsRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const created = await this.seed();
    if (created.length > 0) this.logger.log(`Created the default jobs: ${created.join(', ')}`);
  }

  async seed(): Promise<string[]> {
    return this.seeds.withSeedLock(async (ledger) => {
      const created: string[] = [];
      const seeded = await ledger.seededNames();
      for (const definition of DEFAULT_JOBS) {
        if (seeded.has(definition.name)) continue;
        // A crash after the job was created but before the seed was recorded leaves the job: keep it.
        if (!(await this.jobsRepository.findByName(definition.name))) {
          await this.jobs.create({ ...definition }, systemActor('defaults'));
          created.push(definition.name);
        }
        await ledger.markSeeded(definition.name);
      }
      return created;
    });
  }
}
