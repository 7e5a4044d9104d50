import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Actor } from '../../common/actor';
import { CurrentActor } from '../../common/current-actor.decorator';
import { ErrorResponseDto } from '../../common/error-response.dto';
import { IdParam } from '../../common/id-param.decorator';
import { ApiAuth, Superuser } from '../../common/access.decorators';
import { ExecutionPageDto, ExecutionResponseDto } from './dto/execution-response.dto';
import { ListExecutionsQuery, ListJobExecutionsQuery } from './dto/list-executions.query';
import { ExecutionsService } from './executions.service';

@ApiTags('executions')
@ApiAuth()
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid input; the message names the field' })
@Controller()
export class ExecutionsController {
  constructor(private readonly executions: ExecutionsService) {}

  @Get('executions')
  @ApiOperation({
    operationId: 'listExecutions',
    description:
      "All runs, newest first, filtered by `job_id`, `status`, `trigger` and `from`/`to` (on scheduled_for), paginated. An unfiltered list over more than 100,000 runs reports the planner's estimate as `total`. Any signed-in user.",
    summary: 'List runs, newest first, filtered and paginated',
  })
  @ApiOkResponse({ type: ExecutionPageDto, description: 'A page of runs' })
  list(@Query() q: ListExecutionsQuery): Promise<ExecutionPageDto> {
    return this.executions.list(filterOf(q, q.job_id), { page: q.page, size: q.size });
  }

  @Get('jobs/:id/executions')
  @ApiOperation({
    operationId: 'listJobExecutions',
    description:
      'The runs of one job, newest first, with the same filters as GET /api/v1/executions; 404 when the job does not exist. Any signed-in user.',
    summary: "List a job's runs, newest first",
  })
  @ApiOkResponse({ type: ExecutionPageDto, description: "A page of the job's runs" })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  listForJob(@IdParam() id: number, @Query() q: ListJobExecutionsQuery): Promise<ExecutionPageDto> {
    return this.executions.listForJob(id, filterOf(q, id), { page: q.page, size: q.size });
  }

  @Get('executions/:id')
  @ApiOperation({
    operationId: 'getExecution',
    description:
      'One run: its status, trigger, times, attempt, worker, kwargs, result and error. Credentials are shown as "***". Any signed-in user.',
    summary: 'Get a run',
  })
  @ApiOkResponse({ type: ExecutionResponseDto, description: 'The run' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@IdParam() id: number): Promise<ExecutionResponseDto> {
    return this.executions.get(id);
  }

  @Post('executions/:id/cancel')
  @HttpCode(200)
  @Superuser()
  @ApiOperation({
    operationId: 'cancelExecution',
    description:
      'A queued run is cancelled at once; a running one gets its AbortSignal and ends `cancelled`. A run that already ended → 409. Superuser; audited.',
    summary: 'Cancel a queued or running run',
  })
  @ApiOkResponse({ type: ExecutionResponseDto, description: 'The run, cancelled' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The run already ended' })
  cancel(@IdParam() id: number, @CurrentActor() actor: Actor): Promise<ExecutionResponseDto> {
    return this.executions.cancel(id, actor);
  }
}

function filterOf(q: ListJobExecutionsQuery, jobId?: number) {
  return {
    jobId,
    status: q.status,
    trigger: q.trigger,
    from: q.from ? new Date(q.from) : undefined,
    to: q.to ? new Date(q.to) : undefined,
  };
}
