import { Module } from '@nestjs/common';
import { DefaultJobSeedsRepository } from './default-job-seeds.repository';
import { DefaultJobsSeeder } from './default-jobs.seeder';
import { JobsModule } from './jobs.module';

/** Server processes seed the default jobs at start-up (the CLI does not). */
@Module({
  imports: [JobsModule],
  providers: [DefaultJobSeedsRepository, DefaultJobsSeeder],
  exports: [DefaultJobsSeeder],
})
export class DefaultJobsModule {}
