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
import { CreateJobDto } from './dto/create-job.dto';
import { JobPageDto, JobResponseDto } from './dto/job-response.dto';
import { ListJobsQuery } from './dto/list-jobs.query';
import { UpdateJobDto } from './dto/update-job.dto';
import { JobsService } from './jobs.service';

@ApiTags('jobs')
@ApiAuth()
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid input; the message names the field' })
@Controller('jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get()
  @ApiOperation({ summary: 'List jobs, filtered and paginated' })
  @ApiOkResponse({ type: JobPageDto })
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
  @ApiOperation({ summary: 'Get a job' })
  @ApiOkResponse({ type: JobResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@IdParam() id: number): Promise<JobResponseDto> {
    return this.jobs.get(id);
  }

  @Post()
  @Superuser()
  @ApiOperation({ summary: 'Create a job' })
  @ApiCreatedResponse({ type: JobResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'A job with this name exists' })
  create(@Body() dto: CreateJobDto, @CurrentActor() actor: Actor): Promise<JobResponseDto> {
    return this.jobs.create(dto, actor);
  }

  @Put(':id')
  @Superuser()
  @ApiOperation({ summary: 'Update a job (partial: only the given fields change)' })
  @ApiOkResponse({ type: JobResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto })
  update(@IdParam() id: number, @Body() dto: UpdateJobDto, @CurrentActor() actor: Actor): Promise<JobResponseDto> {
    return this.jobs.update(id, dto, actor);
  }

  @Delete(':id')
  @Superuser()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a job and its runs' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  delete(@IdParam() id: number, @CurrentActor() actor: Actor): Promise<void> {
    return this.jobs.delete(id, actor);
  }
}
