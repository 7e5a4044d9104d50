import { Body, Controller, Delete, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Actor } from '../../common/actor';
import { CurrentActor } from '../../common/current-actor.decorator';
import { ApiAuth, Superuser } from '../../common/access.decorators';
import { ErrorResponseDto } from '../../common/error-response.dto';
import { IdParam } from '../../common/id-param.decorator';
import { ApplyJobsDto, ApplyJobsResultDto } from './dto/apply-jobs.dto';
import { CreateJobDto } from './dto/create-job.dto';
import { JobPageDto, JobResponseDto } from './dto/job-response.dto';
import { ListJobsQuery } from './dto/list-jobs.query';
import { UpdateJobDto } from './dto/update-job.dto';
import { JobDefinitionsService } from './job-definitions.service';
import { JobsService } from './jobs.service';

@ApiTags('jobs')
@ApiAuth()
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid input; the message names the field' })
@Controller('jobs')
export class JobsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly definitions: JobDefinitionsService,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listJobs',
    description:
      'Paginated (`page`, `size` 1–100), sorted by id unless `sort` says otherwise. Filters combine: `status`, `is_enabled`, `job_type`, `tag` (repeatable: jobs carrying every tag), `search` (free text), `overdue`. Any signed-in user.',
    summary: 'List jobs, filtered and paginated',
  })
  @ApiOkResponse({ type: JobPageDto, description: 'A page of jobs' })
  list(@Query() query: ListJobsQuery): Promise<JobPageDto> {
    return this.jobs.list(
      {
        status: query.status,
        isEnabled: query.is_enabled,
        jobType: query.job_type,
        search: query.search,
        tags: query.tag,
        overdue: query.overdue,
        sort: query.sort,
      },
      { page: query.page, size: query.size },
    );
  }

  @Get(':id')
  @ApiOperation({
    operationId: 'getJob',
    description:
      'The job with its schedule, task, policies, next and last run and run statistics. Credentials in `task_kwargs` are shown as "***". Any signed-in user.',
    summary: 'Get a job',
  })
  @ApiOkResponse({ type: JobResponseDto, description: 'The job' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@IdParam() id: number): Promise<JobResponseDto> {
    return this.jobs.get(id);
  }

  @Post()
  @Superuser()
  @ApiOperation({
    operationId: 'createJob',
    description:
      "`next_run_at` is computed at once from the schedule in the job's time zone, and the scheduler honours it at once. `task_name` must name a known task handler (GET /api/v1/tasks). Superuser; audited.",
    summary: 'Create a job',
  })
  @ApiCreatedResponse({ type: JobResponseDto, description: 'The job as created, with its next_run_at' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'A job with this name exists' })
  create(@Body() dto: CreateJobDto, @CurrentActor() actor: Actor): Promise<JobResponseDto> {
    return this.jobs.create(dto, actor);
  }

  @Post('apply')
  @Superuser()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'applyJobs',
    summary: 'Apply job definitions (jobs as code), in one transaction',
    description:
      'Each definition is the body of POST /jobs/, matched to a job by `name`, and is the whole of it: a field ' +
      'left out means its default. A job that does not exist is created, one that differs is updated (as PUT, ' +
      'with the fields that differ), the others are left untouched; `prune` deletes the jobs the list does not ' +
      'name. Runtime state (`status`: paused or active) changes only when a definition names it. `dry_run` ' +
      'answers the same lists and changes nothing',
  })
  @ApiOkResponse({
    type: ApplyJobsResultDto,
    description: 'The names of the jobs created, updated, unchanged and deleted (with dry_run: that would be)',
  })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Another change created a job of the same name first' })
  apply(@Body() dto: ApplyJobsDto, @CurrentActor() actor: Actor): Promise<ApplyJobsResultDto> {
    return this.definitions.apply(dto, actor);
  }

  @Put(':id')
  @Superuser()
  @ApiOperation({
    operationId: 'updateJob',
    description:
      'Only the fields given change; `null` clears a field that may be null. A change of schedule recomputes `next_run_at` at once. Superuser; audited with before/after.',
    summary: 'Update a job (partial: only the given fields change)',
  })
  @ApiOkResponse({ type: JobResponseDto, description: 'The job as updated' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto })
  update(@IdParam() id: number, @Body() dto: UpdateJobDto, @CurrentActor() actor: Actor): Promise<JobResponseDto> {
    return this.jobs.update(id, dto, actor);
  }

  @Delete(':id')
  @Superuser()
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteJob',
    description: 'Deletes the job with its runs and their logs. Superuser; audited.',
    summary: 'Delete a job and its runs',
  })
  @ApiNoContentResponse({ description: 'Deleted; no body' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  delete(@IdParam() id: number, @CurrentActor() actor: Actor): Promise<void> {
    return this.jobs.delete(id, actor);
  }
}
