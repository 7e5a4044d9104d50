import { Module } from '@nestjs/common';
import { ExecutionsModule } from '../executions/executions.module';
import { JobsModule } from '../jobs/jobs.module';
import { OverviewService } from './overview.service';

/** The statistics overview: a read model over jobs and runs, above both. */
@Module({
  imports: [JobsModule, ExecutionsModule],
  providers: [OverviewService],
  exports: [OverviewService],
})
export class OverviewModule {}
