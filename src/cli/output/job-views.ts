import type { ExecutionResponseDto } from '../../modules/executions/dto/execution-response.dto';
import type { JobResponseDto } from '../../modules/jobs/dto/job-response.dto';
import type { OverdueJobDto } from '../../modules/jobs/dto/job-stats.dto';
import type { JobStatsOverviewDto } from '../../modules/overview/dto/overview.dto';
import type { SchedulePreview } from '../../modules/schedules/schedules.service';
import type { Page } from '../../common/pagination';
import type { CliOutput } from './cli-output';
import { duration, humanSpan, percent, relativeTime, timeWithRelative, utcTime, zonedTime } from './format';

/** The tables and detail views people see; `--json` bypasses all of this. */

const RUN_COLOURS: Record<string, 'green' | 'red' | 'yellow' | 'cyan' | 'dim'> = {
  succeeded: 'green',
  failed: 'red',
  timed_out: 'red',
  cancelled: 'yellow',
  skipped: 'dim',
  running: 'cyan',
  queued: 'cyan',
};

export function runStatus(out: CliOutput, status: string | null): string {
  if (!status) return '—';
  const colour = RUN_COLOURS[status];
  return colour ? out.c[colour](status) : status;
}

function jobState(out: CliOutput, job: JobResponseDto): string {
  if (!job.is_enabled) return out.c.dim('disabled');
  return job.status === 'active' ? out.c.green('active') : out.c.yellow(job.status);
}

function schedule(job: JobResponseDto): string {
  return `${job.schedule_type} ${job.schedule_expression}${job.timezone === 'UTC' ? '' : ` ${job.timezone}`}`;
}

export function printJobPage(out: CliOutput, page: Page<JobResponseDto>, now = new Date()): void {
  if (page.items.length === 0) {
    out.line(
      page.total === 0 ? 'No jobs match.' : `No jobs on page ${page.page} (${page.total} in ${page.pages} pages).`,
    );
    return;
  }
  printJobTable(out, page.items, now);
  out.line(out.c.dim(`Page ${page.page} of ${page.pages} · ${page.total} job${page.total === 1 ? '' : 's'}`));
}

export function printJobTable(out: CliOutput, jobs: (JobResponseDto | OverdueJobDto)[], now = new Date()): void {
  const overdue = jobs.some((j) => 'overdue_seconds' in j);
  out.table(
    [
      'ID',
      'NAME',
      'TYPE',
      'SCHEDULE',
      'STATE',
      'PRI',
      'NEXT RUN',
      ...(overdue ? ['LATE'] : []),
      'LAST RUN',
      'RUNS',
      'OK %',
    ],
    jobs.map((job) => [
      String(job.id),
      job.name,
      job.job_type,
      schedule(job),
      jobState(out, job),
      String(job.task_priority),
      relativeTime(job.next_run_at, now),
      ...(overdue ? [out.c.red(humanSpan((job as OverdueJobDto).overdue_seconds))] : []),
      job.last_run_at ? `${relativeTime(job.last_run_at, now)} ${runStatus(out, job.last_run_status)}` : '—',
      String(job.total_runs),
      percent(job.success_rate),
    ]),
  );
}

export function printJob(out: CliOutput, job: JobResponseDto, now = new Date()): void {
  out.heading(`Job ${job.id}: ${job.name}`);
  out.fields([
    ['Title', job.title],
    ['Description', job.description ?? '—'],
    ['Type', job.job_type],
    ['Schedule', schedule(job)],
    ['State', `${jobState(out, job)}${job.is_enabled ? '' : ` (status ${job.status})`}`],
    ...(job.paused_at
      ? ([
          [
            'Paused',
            `${timeWithRelative(job.paused_at, now)} by ${job.paused_by ?? '—'}${job.paused_reason ? `: ${job.paused_reason}` : ''}`,
          ],
        ] as [string, string][])
      : []),
    ['Tags', job.tags.length > 0 ? job.tags.join(', ') : '—'],
    ['Task', `${job.task_name} on queue ${job.task_queue}, priority ${job.task_priority}`],
    ['Arguments', `args ${JSON.stringify(job.task_args)}, kwargs ${JSON.stringify(job.task_kwargs)}`],
    ['Timeout', `${job.timeout_seconds} s`],
    ['Retries', `${job.max_retries} (backoff ${job.retry_backoff_seconds} s)`],
    [
      'Policies',
      `misfire ${job.misfire_policy}, overlap ${job.overlap_policy}${job.jitter_seconds > 0 ? `, jitter < ${job.jitter_seconds} s` : ''}`,
    ],
    ...(job.start_at || job.end_at || job.max_runs !== null
      ? ([
          [
            'Window',
            [
              job.start_at ? `from ${utcTime(job.start_at)}` : null,
              job.end_at ? `until ${utcTime(job.end_at)}` : null,
              job.max_runs !== null ? `${job.remaining_runs} of ${job.max_runs} runs left` : null,
            ]
              .filter(Boolean)
              .join(', '),
          ],
        ] as [string, string][])
      : []),
    ['Next run', timeWithRelative(job.next_run_at, now, job.timezone)],
    [
      'Last run',
      job.last_run_at
        ? `${timeWithRelative(job.last_run_at, now, job.timezone)} ${runStatus(out, job.last_run_status)}`
        : '—',
    ],
    [
      'Runs',
      `${job.total_runs} total, ${job.successful_runs} succeeded, ${job.failed_runs} failed, success rate ${percent(job.success_rate)}`,
    ],
    ['Avg duration', duration(job.avg_duration_seconds)],
    [
      'Alerts',
      `${job.notify_on.length > 0 ? job.notify_on.join(', ') : 'none'} → ${job.notify_channel_ids.length > 0 ? `channels ${job.notify_channel_ids.join(', ')}` : 'the default channels'}`,
    ],
    ['Config', JSON.stringify(job.config)],
    ['Metadata', JSON.stringify(job.metadata)],
    ['Created', `${utcTime(job.created_at)} by ${job.created_by ?? '—'}`],
    ['Updated', timeWithRelative(job.updated_at, now)],
  ]);
}

export function printRuns(out: CliOutput, runs: ExecutionResponseDto[], now = new Date()): void {
  if (runs.length === 0) {
    out.line('No runs yet.');
    return;
  }
  out.table(
    ['RUN', 'STATUS', 'TRIGGER', 'SCHEDULED', 'STARTED', 'DURATION', 'TRY', 'BY', 'ERROR'],
    runs.map((run) => [
      String(run.id),
      runStatus(out, run.status),
      run.trigger,
      relativeTime(run.scheduled_for, now),
      relativeTime(run.started_at, now),
      duration(run.duration_seconds),
      String(run.attempt),
      run.triggered_by ?? '—',
      run.error ? truncate(run.error, 60) : '',
    ]),
  );
}

export function printStats(out: CliOutput, s: JobStatsOverviewDto): void {
  const counts = (record: Record<string, number>) =>
    Object.entries(record)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || '—';
  out.heading('Jobs');
  out.fields([
    ['Total', String(s.total_jobs)],
    ['By status', counts(s.jobs_by_status)],
    ['By enabled', counts(s.jobs_by_enabled)],
    ['By type', counts(s.jobs_by_type)],
    ['Overdue', s.overdue_jobs > 0 ? out.c.red(String(s.overdue_jobs)) : '0'],
  ]);
  out.line();
  out.heading('Runs');
  out.fields([
    ['Total', String(s.total_runs)],
    [
      'Outcomes',
      `${out.c.green(`succeeded ${s.runs_by_outcome.succeeded}`)}, ${out.c.red(`failed ${s.runs_by_outcome.failed}`)}, other ${s.runs_by_outcome.other}`,
    ],
    ['Success rate', percent(s.success_rate)],
    ['Avg duration', duration(s.avg_duration_seconds)],
    ['p95 (24 h)', duration(s.p95_duration_seconds)],
    ['Last 24 h', `${s.runs_last_24h}${s.runs_last_24h > 0 ? ` (${counts(s.runs_last_24h_by_status)})` : ''}`],
    ['Now', `${s.running_now} running, ${s.queued_now} queued`],
  ]);
}

/** The next fire times in UTC and, for a schedule in another zone, in that zone too. */
export function printSchedulePreview(
  out: CliOutput,
  preview: SchedulePreview,
  timeZone = 'UTC',
  now = new Date(),
): void {
  if (!preview.valid) {
    out.line(`${out.c.red('✗ invalid schedule')}: ${preview.error}`);
    return;
  }
  out.line(`${out.c.green('✓ valid')}: ${preview.description}`);
  out.line('Next runs:');
  preview.next_runs.forEach((time) =>
    out.line(`  ${zonedTime(time, timeZone)}  ${out.c.dim(relativeTime(time, now))}`),
  );
}

function truncate(text: string, max: number): string {
  const single = text.replace(/\s+/g, ' ');
  return single.length > max ? `${single.slice(0, max - 1)}…` : single;
}
