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
  @ApiOperation({
    operationId: 'listOverdueJobs',
    description:
      'Enabled, active jobs whose `next_run_at` is more than OVERDUE_GRACE_SECONDS (default 60) in the past, each with `overdue_seconds`. Jobs with nothing left to fire are never overdue. Any signed-in user.',
    summary: 'Enabled, active jobs whose next run is more than OVERDUE_GRACE_SECONDS late',
  })
  @ApiOkResponse({ type: [OverdueJobDto], description: 'The overdue jobs, each with how late it is' })
  overdue(): Promise<OverdueJobDto[]> {
    return this.stats.overdue();
  }

  @Post(':id/pause')
  @HttpCode(200)
  @Superuser()
  @ApiOperation({
    operationId: 'pauseJob',
    summary: 'Pause a job: it is not dispatched until resumed',
    description:
      'An optional `reason` is kept as paused_reason (with paused_by and paused_at) until the job is resumed',
  })
  @ApiOkResponse({
    type: JobResponseDto,
    description: 'The job, now paused, with paused_reason, paused_by and paused_at',
  })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  pause(@IdParam() id: number, @Body() dto: PauseJobDto, @CurrentActor() actor: Actor): Promise<JobResponseDto> {
    return this.actions.pause(id, actor, dto.reason ?? null);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @Superuser()
  @ApiOperation({
    operationId: 'resumeJob',
    description:
      'Sets `status` back to `active` and clears paused_reason, paused_by and paused_at; `next_run_at` is recomputed from now. Superuser.',
    summary: 'Resume a paused job; its next run is computed from now',
  })
  @ApiOkResponse({ type: JobResponseDto, description: 'The job, active again, with its next_run_at' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  resume(@IdParam() id: number, @CurrentActor() actor: Actor): Promise<JobResponseDto> {
    return this.actions.resume(id, actor);
  }
}
