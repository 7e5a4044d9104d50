import { ApiAuth } from '../../common/access.decorators';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { ErrorResponseDto } from '../../common/error-response.dto';
import {
  InvalidScheduleResponseDto,
  ValidScheduleResponseDto,
  type ValidateScheduleResponseDto,
} from './dto/validate-schedule-response.dto';
import { ValidateScheduleDto } from './dto/validate-schedule.dto';
import { SchedulesService } from './schedules.service';

@ApiTags('jobs')
@ApiAuth()
@Controller('jobs')
export class SchedulesController {
  constructor(private readonly schedules: SchedulesService) {}

  @Post('validate-schedule')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'validateSchedule',
    summary: 'Check a schedule and preview its next fire times',
    description:
      'A schedule that cannot be used is still a 200, with `valid: false` and an `error` saying what is wrong and what is expected.',
  })
  @ApiExtraModels(ValidScheduleResponseDto, InvalidScheduleResponseDto)
  @ApiOkResponse({
    description: '`{valid: true, next_runs, description}` or `{valid: false, error}`',
    schema: {
      oneOf: [{ $ref: getSchemaPath(ValidScheduleResponseDto) }, { $ref: getSchemaPath(InvalidScheduleResponseDto) }],
    },
  })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description:
      'Malformed body (missing field, wrong type, count out of 1–50, bad `from`); the message names the field',
  })
  validateSchedule(@Body() dto: ValidateScheduleDto): ValidateScheduleResponseDto {
    const spec = { type: dto.schedule_type, expression: dto.schedule_expression, timezone: dto.timezone };
    return this.schedules.preview(spec, dto.from ? new Date(dto.from) : new Date(), dto.count);
  }
}
