import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiAuth, Superuser } from '../../common/access.decorators';
import type { Actor } from '../../common/actor';
import { CurrentActor } from '../../common/current-actor.decorator';
import { ErrorResponseDto } from '../../common/error-response.dto';
import { IdParam } from '../../common/id-param.decorator';
import { BackfillService } from './backfill.service';
import { BackfillJobDto, BackfillResultDto } from './dto/backfill-job.dto';

@ApiTags('jobs')
@ApiAuth()
@Controller('jobs')
export class BackfillController {
  constructor(private readonly backfills: BackfillService) {}

  @Post(':id/backfill')
  @HttpCode(202)
  @Superuser()
  @ApiOperation({
    operationId: 'backfillJob',
    summary: 'Backfill: a run for each past fire time in [from, to) that has none yet',
    description:
      "Fire times come from the job's own schedule in its time zone. A fire time that already has a scheduled or " +
      'backfill run gets none (counted in already_present), also under concurrent backfills and dispatchers. ' +
      "The runs (trigger backfill, triggered_by the caller, the job's kwargs) are queued like any other. " +
      'A disabled or paused job may be backfilled.',
  })
  @ApiAcceptedResponse({ type: BackfillResultDto, description: 'The runs recorded and queued, and every fire time' })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'Invalid input, or more fire times than max_runs; the message names the field, nothing is recorded',
  })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No job with this id' })
  backfill(
    @IdParam() id: number,
    @Body() dto: BackfillJobDto,
    @CurrentActor() actor: Actor,
  ): Promise<BackfillResultDto> {
    return this.backfills.backfill(id, dto, actor);
  }
}
