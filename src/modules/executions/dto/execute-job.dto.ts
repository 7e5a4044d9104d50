import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsObject } from 'class-validator';
import { OptionalNotNull } from '../../../common/validation';

export class ExecuteJobDto {
  /** @example true */
  @ApiPropertyOptional({ default: false, description: 'Run even if the job is disabled or paused' })
  @OptionalNotNull()
  @IsBoolean()
  force?: boolean;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Merged over task_kwargs for this run only',
  })
  @OptionalNotNull()
  @IsObject()
  override_kwargs?: Record<string, unknown>;
}
