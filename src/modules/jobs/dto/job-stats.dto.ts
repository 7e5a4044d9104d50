import { JobResponseDto } from './job-response.dto';

export class OverdueJobDto extends JobResponseDto {
  /**
   * How late the job is: now − next_run_at, in seconds.
   * @example 312
   */
  overdue_seconds: number;
}
