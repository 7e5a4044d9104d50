import { Global, Module } from '@nestjs/common';
import { ExecutionsModule } from '../executions/executions.module';
import { MetricsScrapeSources } from './metrics-scrape-sources.service';
import { MetricsTokenGuard } from './metrics-token.guard';
import { MetricsController } from './metrics.controller';
import { MetricsRepository } from './metrics.repository';
import { MetricsService } from './metrics.service';

/** The registry and its hooks, injectable everywhere (executions and the dispatcher report into it). */
@Global()
@Module({ providers: [MetricsService], exports: [MetricsService] })
export class MetricsCoreModule {}

/** `GET /metrics` and the scrape-time gauges (the HTTP timing middleware is mounted in app.setup.ts). */
@Module({
  imports: [MetricsCoreModule, ExecutionsModule],
  controllers: [MetricsController],
  providers: [MetricsRepository, MetricsScrapeSources, MetricsTokenGuard],
})
export class MetricsModule {}
