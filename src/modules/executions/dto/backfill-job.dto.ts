import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { IsIsoDateTime } from '../../../common/iso-date-time';
import { OptionalNotNull } from '../../../common/validation';

/** At most this many runs in one backfill: a mistyped range must not flood the queues. */
export const MAX_BACKFILL_RUNS = 1000;
export const DEFAULT_BACKFILL_RUNS = 100;

/** The body of POST /jobs/{id}/backfill: the past range whose fire times get a run. */
export class BackfillJobDto {
  @ApiProperty({
    type: String,
    format: 'date-time',
    example: '2026-01-01T00:00:00Z',
    description: 'Start of the range (included)',
  })
  // With an offset: without one, the range would mean different instants per zone.
  @IsIsoDateTime({ requireOffset: true })
  from: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    example: '2026-01-08T00:00:00Z',
    description: 'End of the range (excluded); after `from`, not in the future',
  })
  @IsIsoDateTime({ requireOffset: true })
  to: string;

  /** @example 100 */
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_BACKFILL_RUNS,
    default: DEFAULT_BACKFILL_RUNS,
    description: 'The most fire times the range may hold; a range with more is refused, nothing recorded',
  })
  @OptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(MAX_BACKFILL_RUNS)
  max_runs: number = DEFAULT_BACKFILL_RUNS;
}

export class BackfillResultDto {
  /** @example 3 */
  @ApiProperty({ type: 'integer', description: 'Runs recorded (trigger backfill) and queued' })
  recorded: number;

  /** @example 1 */
  @ApiProperty({
    type: 'integer',
    description: 'Fire times that already had a scheduled or backfill run: none recorded for them',
  })
  already_present: number;

  @ApiProperty({
    type: [String],
    format: 'date-time',
    description: 'Every fire time of the job in [from, to), oldest first',
  })
  fire_times: string[];
}
