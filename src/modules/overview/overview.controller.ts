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
  @ApiOperation({ summary: 'Counts of jobs and runs, success rate, durations, activity now' })
  @ApiOkResponse({ type: JobStatsOverviewDto })
  get(): Promise<JobStatsOverviewDto> {
    return this.overview.overview();
  }
}
