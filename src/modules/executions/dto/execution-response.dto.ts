import { ApiProperty } from '@nestjs/swagger';
import { RUN_STATUSES, RUN_TRIGGERS, type Execution } from '../execution.entity';
import { PageMetaDto } from '../../../common/page-meta.dto';
import { redactString, redactValue } from '../../../common/logging/redaction';

export class ExecutionResponseDto {
  /**
   * The run id
   * @example 4242
   */
  id: number;
  /**
   * The job it runs
   * @example 42
   */
  job_id: number;
  /**
   * queued, running, then one of succeeded, failed, timed_out, cancelled, skipped
   * @example succeeded
   */
  @ApiProperty({ enum: RUN_STATUSES })
  status: string;
  /**
   * What started it: schedule, manual (execute), retry or backfill
   * @example schedule
   */
  @ApiProperty({ enum: RUN_TRIGGERS })
  trigger: string;
  /** @example 2026-12-01T02:00:00.000Z */
  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'The fire time (manual runs: when they were requested)',
  })
  scheduled_for: string;
  /** @example 2026-12-01T02:00:17.000Z */
  @ApiProperty({
    type: String,
    format: 'date-time',
    description:
      'Its earliest start: scheduled_for plus the job’s jitter offset (scheduled runs), the backoff (retries)',
  })
  start_after: string;
  /**
   * When it was queued
   * @example 2026-12-01T02:00:00.112Z
   */
  @ApiProperty({ type: String, format: 'date-time' })
  queued_at: string;
  /**
   * When a worker started it (null: not yet)
   * @example 2026-12-01T02:00:17.020Z
   */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  started_at: string | null;
  /**
   * When it ended (null: still queued or running)
   * @example 2026-12-01T02:00:21.260Z
   */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finished_at: string | null;
  /**
   * finished_at − started_at (null until it ends)
   * @example 4.24
   */
  @ApiProperty({ type: Number, nullable: true })
  duration_seconds: number | null;
  /**
   * 1 for the first attempt; retries count up.
   * @example 1
   */
  attempt: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: null,
    description: 'The run this one retries (null: a first attempt)',
  })
  retry_of: number | null;
  /**
   * The worker that ran it (host:pid)
   * @example worker-1:4711
   */
  @ApiProperty({ type: String, nullable: true })
  worker: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { url: 'https://example.com/hook', method: 'POST', headers: { authorization: '***' } },
    description: 'The kwargs of this run, credentials shown as "***"; secret references as sent',
  })
  kwargs: Record<string, unknown>;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    example: { status_code: 200, body: '{"ok":true}' },
    description:
      'What the task returned (null when nothing), credentials shown as "***". The built-in tasks return an object ' +
      "(http.request: the status code and the start of the answer's body)",
  })
  result: unknown;
  /** Why it failed, timed out, was cancelled or skipped (null on success) */
  @ApiProperty({ type: String, nullable: true, example: null })
  error: string | null;
  /** Who asked for it (manual, backfill; null for scheduled runs and retries) */
  @ApiProperty({ type: String, nullable: true, example: null })
  triggered_by: string | null;

  static from(run: Execution): ExecutionResponseDto {
    return {
      id: run.id,
      job_id: run.jobId,
      status: run.status,
      trigger: run.trigger,
      scheduled_for: run.scheduledFor.toISOString(),
      start_after: (run.notBefore && run.notBefore > run.scheduledFor ? run.notBefore : run.scheduledFor).toISOString(),
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
  /** The runs of this page, newest first */
  @ApiProperty({ type: [ExecutionResponseDto] })
  items: ExecutionResponseDto[];
}
