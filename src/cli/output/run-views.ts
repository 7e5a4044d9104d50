import type { ExecutionResponseDto } from '../../modules/executions/dto/execution-response.dto';
import type { RunLogLineDto } from '../../modules/executions/run-logs/dto/run-logs.dto';
import type { CliOutput } from './cli-output';
import { duration, timeWithRelative, utcTime } from './format';
import { runStatus } from './job-views';

const LEVEL_COLOURS: Record<string, 'dim' | 'yellow' | 'red' | undefined> = {
  debug: 'dim',
  warn: 'yellow',
  error: 'red',
};

export function printRun(out: CliOutput, run: ExecutionResponseDto, jobName: string | null, now = new Date()): void {
  out.heading(`Run ${run.id} of job ${run.job_id}${jobName ? ` (${jobName})` : ''}`);
  out.fields([
    ['Status', runStatus(out, run.status)],
    ['Trigger', `${run.trigger}${run.triggered_by ? ` by ${run.triggered_by}` : ''}`],
    ['Scheduled for', utcTime(run.scheduled_for)],
    ['Queued', timeWithRelative(run.queued_at, now)],
    ['Started', timeWithRelative(run.started_at, now)],
    ['Finished', timeWithRelative(run.finished_at, now)],
    ['Duration', duration(run.duration_seconds)],
    ['Attempt', `${run.attempt}${run.retry_of ? ` (retry of run ${run.retry_of})` : ''}`],
    ['Worker', run.worker ?? '—'],
    ['Kwargs', clip(JSON.stringify(run.kwargs))],
    ['Result', run.result === null ? '—' : clip(JSON.stringify(run.result))],
    ['Error', run.error ? clip(run.error) : '—'],
  ]);
}

/** One line per log line: time (UTC), level, message, fields (without the logger's name). */
export function printLogLines(out: CliOutput, lines: readonly RunLogLineDto[]): void {
  for (const line of lines) {
    const colour = LEVEL_COLOURS[line.level];
    const level = line.level.toUpperCase().padEnd(5);
    const { context: _context, ...fields } = line.fields ?? {};
    const extra = Object.keys(fields).length > 0 ? ` ${out.c.dim(JSON.stringify(fields))}` : '';
    out.line(`${out.c.dim(line.at)} ${colour ? out.c[colour](level) : level} ${line.message}${extra}`);
  }
}

/** Long values are cut in the human view (`--json` has them whole). */
function clip(text: string, max = 400): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters; --json shows all)` : text;
}
