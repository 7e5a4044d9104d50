import { Module } from '@nestjs/common';
import { ExecutionsModule } from '../executions/executions.module';
import { JobsModule } from '../jobs/jobs.module';
import { MetricsScrapeSources } from './metrics-scrape-sources.service';
import { MetricsTokenGuard } from './metrics-token.guard';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/**
 * `GET /metrics`, the registry (which follows runs through their events, RUN_EVENTS) and the
 * scrape-time gauges (the HTTP timing middleware is mounted in app.setup.ts).
 */
@Module({
  imports: [ExecutionsModule, JobsModule],
  controllers: [MetricsController],
  providers: [MetricsService, MetricsScrapeSources, MetricsTokenGuard],
  exports: [MetricsService],
})
export class MetricsModule {}
