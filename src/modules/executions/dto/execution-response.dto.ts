import { ApiProperty } from '@nestjs/swagger';
import { RUN_STATUSES, RUN_TRIGGERS, type Execution } from '../execution.entity';
import { PageMetaDto } from '../../../common/page-meta.dto';
import { redactString, redactValue } from '../../../common/logging/redaction';

export class ExecutionResponseDto {
  id: number;
  job_id: number;
  @ApiProperty({ enum: RUN_STATUSES })
  status: string;
  @ApiProperty({ enum: RUN_TRIGGERS })
  trigger: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'The fire time (manual runs: when they were requested)',
  })
  scheduled_for: string;
  @ApiProperty({ type: String, format: 'date-time' })
  queued_at: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  started_at: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finished_at: string | null;
  @ApiProperty({ type: Number, nullable: true })
  duration_seconds: number | null;
  /** 1 for the first attempt; retries count up. */
  attempt: number;
  @ApiProperty({ type: Number, nullable: true, description: 'The run this one retries' })
  retry_of: number | null;
  @ApiProperty({ type: String, nullable: true })
  worker: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The kwargs of this run, credentials shown as "***"; secret references as sent',
  })
  kwargs: Record<string, unknown>;
  @ApiProperty({ nullable: true, description: 'What the task returned (JSON), credentials shown as "***"' })
  result: unknown;
  @ApiProperty({ type: String, nullable: true })
  error: string | null;
  @ApiProperty({ type: String, nullable: true })
  triggered_by: string | null;

  static from(run: Execution): ExecutionResponseDto {
    return {
      id: run.id,
      job_id: run.jobId,
      status: run.status,
      trigger: run.trigger,
      scheduled_for: run.scheduledFor.toISOString(),
      queued_at: run.queuedAt.toISOString(),
      started_at: run.startedAt?.toISOString() ?? null,
      finished_at: run.finishedAt?.toISOString() ?? null,
      duration_seconds: run.durationSeconds === null ? null : Math.round(run.durationSeconds * 1000) / 1000,
      attempt: run.attempt,
      retry_of: run.retryOf,
      worker: run.worker,
      kwargs: redactValue(run.kwargs),
      result: redactValue(run.result ?? null),
      error: run.error === null ? null : redactString(run.error),
      triggered_by: run.triggeredBy,
    };
  }
}

export class ExecutionPageDto extends PageMetaDto {
  @ApiProperty({ type: [ExecutionResponseDto] })
  items: ExecutionResponseDto[];
}
