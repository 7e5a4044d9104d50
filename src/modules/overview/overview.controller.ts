import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuth } from '../../common/access.decorators';
import { JobStatsOverviewDto } from './dto/overview.dto';
import { OverviewService } from './overview.service';

@ApiTags('jobs')
@ApiAuth()
@Controller('jobs')
export class OverviewController {
  constructor(private readonly overview: OverviewService) {}

  @Get('stats/overview')
  @ApiOperation({
    operationId: 'getJobStats',
    description:
      'Jobs by status, type and enabled flag, the overdue count, runs in total and by outcome, success rate, average and p95 duration, runs in the last 24 hours, and runs running and queued now. Any signed-in user.',
    summary: 'Counts of jobs and runs, success rate, durations, activity now',
  })
  @ApiOkResponse({ type: JobStatsOverviewDto, description: 'The counts and durations' })
  get(): Promise<JobStatsOverviewDto> {
    return this.overview.overview();
  }
}
