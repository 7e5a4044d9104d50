import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiAuth, Superuser } from '../../common/access.decorators';
import type { Actor } from '../../common/actor';
import { CurrentActor } from '../../common/current-actor.decorator';
import { ErrorResponseDto } from '../../common/error-response.dto';
import { IdParam } from '../../common/id-param.decorator';
import { ExecuteJobDto } from './dto/execute-job.dto';
import { ExecutionResponseDto } from './dto/execution-response.dto';
import { ManualRunsService } from './manual-runs.service';

@ApiTags('jobs')
@ApiAuth()
@Controller('jobs')
export class ManualRunsController {
  constructor(private readonly manualRuns: ManualRunsService) {}

  @Post(':id/execute')
  @HttpCode(202)
  @Superuser()
  @ApiOperation({
    operationId: 'executeJob',
    description:
      "Records a run with `trigger: manual` and queues it at once. `override_kwargs` are merged over the job's `task_kwargs` for this run only. A disabled or paused job needs `force: true`. Superuser; audited.",
    summary: 'Run a job now (a manual run)',
  })
  @ApiAcceptedResponse({ type: ExecutionResponseDto, description: 'The run, recorded and queued' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid input; the message names the field' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The job is disabled or paused and force was not given' })
  execute(
    @IdParam() id: number,
    @Body() dto: ExecuteJobDto,
    @CurrentActor() actor: Actor,
  ): Promise<ExecutionResponseDto> {
    return this.manualRuns.runNow(id, dto, actor);
  }
}
