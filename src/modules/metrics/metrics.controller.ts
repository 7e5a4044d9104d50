import { Controller, Get, Header, Res, UseGuards } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { ErrorResponseDto } from '../../common/error-response.dto';
import { Public } from '../../common/access.decorators';
import { MetricsTokenGuard } from './metrics-token.guard';
import { MetricsService } from './metrics.service';

export const METRICS_SECURITY = 'metrics_token';

@ApiTags('operations')
@ApiExtraModels(ErrorResponseDto)
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Public()
  @UseGuards(MetricsTokenGuard)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'getMetrics',
    summary: 'Prometheus metrics',
    description:
      'Prometheus text format: jobs_runs_total, jobs_run_duration_seconds, jobs_dispatch_lag_seconds, jobs_queue_depth, ' +
      'jobs_runs_in_flight, jobs_overdue, jobs_database_up, http_request_duration_seconds and the process metrics. ' +
      'It answers while the database is away: jobs_database_up is 0, jobs_overdue NaN, jobs_queue_depth left out; no scrape waits more than 3 s for them. ' +
      'Public unless METRICS_TOKEN is set; then it needs `Authorization: Bearer <METRICS_TOKEN>`.',
    security: [{}, { [METRICS_SECURITY]: [] }],
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Metrics in the Prometheus text exposition format 0.0.4',
    content: {
      'text/plain': {
        schema: {
          type: 'string',
          example:
            '# HELP jobs_runs_total Runs that reached an outcome\n# TYPE jobs_runs_total counter\njobs_runs_total{job_type="custom",outcome="succeeded"} 3\n',
        },
      },
    },
  })
  @ApiUnauthorizedResponse({
    description: 'METRICS_TOKEN is set and the request did not send it',
    content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorResponseDto) } } },
  })
  async scrape(@Res() res: Response): Promise<void> {
    const { contentType, body } = await this.metrics.scrape();
    res.type(contentType).send(body);
  }
}
