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
  @ApiOperation({ summary: 'List runs, newest first, filtered and paginated' })
  @ApiOkResponse({ type: ExecutionPageDto })
  list(@Query() q: ListExecutionsQuery): Promise<ExecutionPageDto> {
    return this.executions.list(filterOf(q, q.job_id), { page: q.page, size: q.size });
  }

  @Get('jobs/:id/executions')
  @ApiOperation({ summary: "List a job's runs, newest first" })
  @ApiOkResponse({ type: ExecutionPageDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  listForJob(@IdParam() id: number, @Query() q: ListJobExecutionsQuery): Promise<ExecutionPageDto> {
    return this.executions.listForJob(id, filterOf(q, id), { page: q.page, size: q.size });
  }

  @Get('executions/:id')
  @ApiOperation({ summary: 'Get a run' })
  @ApiOkResponse({ type: ExecutionResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@IdParam() id: number): Promise<ExecutionResponseDto> {
    return this.executions.get(id);
  }

  @Post('executions/:id/cancel')
  @HttpCode(200)
  @Superuser()
  @ApiOperation({ summary: 'Cancel a queued or running run' })
  @ApiOkResponse({ type: ExecutionResponseDto })
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
