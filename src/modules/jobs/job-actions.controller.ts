import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../../common/actor';
import { CurrentActor } from '../../common/current-actor.decorator';
import { ErrorResponseDto } from '../../common/error-response.dto';
import { IdParam } from '../../common/id-param.decorator';
import { ApiAuth, Superuser } from '../../common/access.decorators';
import { JobResponseDto } from './dto/job-response.dto';
import { OverdueJobDto } from './dto/job-stats.dto';
import { PauseJobDto } from './dto/pause-job.dto';
import { JobActionsService } from './job-actions.service';
import { JobStatsService } from './job-stats.service';

@ApiTags('jobs')
@ApiAuth()
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid input; the message names the field' })
@Controller('jobs')
export class JobActionsController {
  constructor(
    private readonly actions: JobActionsService,
    private readonly stats: JobStatsService,
  ) {}

  @Get('overdue/list')
  @ApiOperation({ summary: 'Enabled, active jobs whose next run is more than OVERDUE_GRACE_SECONDS late' })
  @ApiOkResponse({ type: [OverdueJobDto] })
  overdue(): Promise<OverdueJobDto[]> {
    return this.stats.overdue();
  }

  @Post(':id/pause')
  @HttpCode(200)
  @Superuser()
  @ApiOperation({
    summary: 'Pause a job: it is not dispatched until resumed',
    description:
      'An optional `reason` is kept as paused_reason (with paused_by and paused_at) until the job is resumed',
  })
  @ApiOkResponse({ type: JobResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  pause(@IdParam() id: number, @Body() dto: PauseJobDto, @CurrentActor() actor: Actor): Promise<JobResponseDto> {
    return this.actions.pause(id, actor, dto.reason ?? null);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @Superuser()
  @ApiOperation({ summary: 'Resume a paused job; its next run is computed from now' })
  @ApiOkResponse({ type: JobResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  resume(@IdParam() id: number, @CurrentActor() actor: Actor): Promise<JobResponseDto> {
    return this.actions.resume(id, actor);
  }
}
