import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { OptionalNotNull } from '../../../common/validation';

export class PauseJobDto {
  /** @example "Reporting database migration" */
  @ApiPropertyOptional({ maxLength: 500, description: 'Why: shown as paused_reason until the job is resumed' })
  @OptionalNotNull()
  @IsString({ message: 'reason must be a string' })
  @MaxLength(500, { message: 'reason must be at most 500 characters long' })
  reason?: string;
}
