import { Option } from 'nest-commander';
import { MISFIRE_POLICIES } from '../../modules/schedules/schedule.types';
import { JOB_STATUSES, OVERLAP_POLICIES } from '../../modules/jobs/job.entity';
import { enabledFlag, numberish, parseJsonArray, parseJsonObject } from '../cli-input';
import { JsonCommand, type JsonOption } from './cli-command';

/** Options `jobs create` and `jobs update` share: every job field that is not a positional argument of create. */
export interface JobFieldOptions extends JsonOption {
  description?: string;
  timezone?: string;
  args?: string;
  kwargs?: string;
  queue?: string;
  priority?: string;
  timeout?: string;
  maxRetries?: string;
  retryBackoffSeconds?: string;
  misfirePolicy?: string;
  overlapPolicy?: string;
  status?: string;
  enabled?: boolean;
  disabled?: boolean;
  config?: string;
  metadata?: string;
  tag?: string[];
  startAt?: string;
  endAt?: string;
  maxRuns?: string;
  jitterSeconds?: string;
  notifyChannels?: string;
  notifyOn?: string;
}

/**
 * The option that sets each API field. Flags are the field names in kebab case; the three the
 * CLI had before the rest (`--queue`, `--priority`, `--timeout`) keep their shorter names, as
 * `--args`/`--kwargs` drop the `task_` prefix. Error messages name these flags.
 */
export const JOB_FIELD_FLAGS = {
  description: '--description',
  timezone: '--timezone',
  task_args: '--args',
  task_kwargs: '--kwargs',
  task_queue: '--queue',
  task_priority: '--priority',
  timeout_seconds: '--timeout',
  max_retries: '--max-retries',
  retry_backoff_seconds: '--retry-backoff-seconds',
  misfire_policy: '--misfire-policy',
  overlap_policy: '--overlap-policy',
  status: '--status',
  is_enabled: '--enabled/--disabled',
  config: '--config',
  metadata: '--metadata',
  tags: '--tag',
  start_at: '--start-at',
  end_at: '--end-at',
  max_runs: '--max-runs',
  jitter_seconds: '--jitter-seconds',
  notify_channel_ids: '--notify-channels',
  notify_on: '--notify-on',
} as const;

/** The API fields the shared options set (undefined where an option was not given), for validateDto. */
export function jobFields(o: JobFieldOptions): Record<keyof typeof JOB_FIELD_FLAGS, unknown> {
  return {
    description: o.description,
    timezone: o.timezone,
    task_args: parseJsonArray(o.args, JOB_FIELD_FLAGS.task_args),
    task_kwargs: parseJsonObject(o.kwargs, JOB_FIELD_FLAGS.task_kwargs),
    task_queue: o.queue,
    task_priority: numberish(o.priority),
    timeout_seconds: numberish(o.timeout),
    max_retries: numberish(o.maxRetries),
    retry_backoff_seconds: numberish(o.retryBackoffSeconds),
    misfire_policy: o.misfirePolicy,
    overlap_policy: o.overlapPolicy,
    status: o.status,
    is_enabled: enabledFlag(o),
    config: parseJsonObject(o.config, JOB_FIELD_FLAGS.config),
    metadata: parseJsonObject(o.metadata, JOB_FIELD_FLAGS.metadata),
    tags: o.tag?.filter(Boolean),
    start_at: orNone(o.startAt),
    end_at: orNone(o.endAt),
    max_runs: ((value) => (value === null ? null : numberish(value)))(orNone(o.maxRuns)),
    jitter_seconds: numberish(o.jitterSeconds),
    notify_channel_ids: commaList(o.notifyChannels)?.map((id) => numberish(id)),
    notify_on: commaList(o.notifyOn),
  };
}

/** `none` (or '') as null: the option clears a nullable field; undefined when it was not given. */
function orNone(value: string | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  return value.trim() === '' || value.trim().toLowerCase() === 'none' ? null : value;
}

/** `a,b,c` as a list; `''` as the empty list (clears it); undefined when the option was not given. */
function commaList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

const oneOf = (values: readonly string[]) => `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;

/**
 * The shared options, declared once: nest-commander finds option methods on the prototype
 * chain, so `create` and `update` list them after their own. Descriptions name the API field
 * each option sets; `create`'s help adds the defaults (they do not apply to `update`).
 */
export abstract class JobFieldsCommand extends JsonCommand {
  @Option({ flags: '--description <text>', description: 'description: free text' })
  parseDescription(value: string): string {
    return value;
  }

  @Option({ flags: '--timezone <iana>', description: 'timezone of the schedule, e.g. Europe/Paris' })
  parseTimezone(value: string): string {
    return value;
  }

  @Option({ flags: '--args <json>', description: `task_args: a JSON array, e.g. '["reports", 3]'` })
  parseArgs(value: string): string {
    return value;
  }

  @Option({ flags: '--kwargs <json>', description: `task_kwargs: a JSON object, e.g. '{"url": "https://…"}'` })
  parseKwargs(value: string): string {
    return value;
  }

  @Option({ flags: '--queue <name>', description: 'task_queue: the queue its runs go to' })
  parseQueue(value: string): string {
    return value;
  }

  @Option({ flags: '--priority <1-10>', description: 'task_priority: higher runs first' })
  parsePriority(value: string): string {
    return value;
  }

  @Option({ flags: '--timeout <seconds>', description: 'timeout_seconds: how long a run may take, 1–604800' })
  parseTimeout(value: string): string {
    return value;
  }

  @Option({ flags: '--max-retries <n>', description: 'max_retries: retries after a failure, 0–100' })
  parseMaxRetries(value: string): string {
    return value;
  }

  @Option({
    flags: '--retry-backoff-seconds <s>',
    description: 'retry_backoff_seconds: wait before a retry, 0–86400',
  })
  parseRetryBackoffSeconds(value: string): string {
    return value;
  }

  @Option({ flags: '--misfire-policy <policy>', description: `misfire_policy: ${oneOf(MISFIRE_POLICIES)}` })
  parseMisfirePolicy(value: string): string {
    return value;
  }

  @Option({ flags: '--overlap-policy <policy>', description: `overlap_policy: ${oneOf(OVERLAP_POLICIES)}` })
  parseOverlapPolicy(value: string): string {
    return value;
  }

  @Option({ flags: '--status <status>', description: `status: ${oneOf(JOB_STATUSES)}` })
  parseStatus(value: string): string {
    return value;
  }

  @Option({ flags: '--enabled', description: 'is_enabled: true' })
  parseEnabled(): boolean {
    return true;
  }

  @Option({ flags: '--disabled', description: 'is_enabled: false (the job is not dispatched)' })
  parseDisabled(): boolean {
    return true;
  }

  @Option({ flags: '--config <json>', description: 'config: a JSON object' })
  parseConfig(value: string): string {
    return value;
  }

  @Option({ flags: '--metadata <json>', description: 'metadata: a JSON object' })
  parseMetadata(value: string): string {
    return value;
  }

  @Option({ flags: '--tag <tag>', description: "tags: one tag; repeat for several ('' alone: none)" })
  parseTag(value: string, previous: string[] = []): string[] {
    return [...previous, value];
  }

  @Option({ flags: '--start-at <iso>', description: "start_at: no fire time before it ('none': clear)" })
  parseStartAt(value: string): string {
    return value;
  }

  @Option({ flags: '--end-at <iso>', description: "end_at: no fire time at or after it ('none': clear)" })
  parseEndAt(value: string): string {
    return value;
  }

  @Option({ flags: '--max-runs <n>', description: "max_runs: scheduled runs ever, ≥ 1 ('none': unlimited)" })
  parseMaxRuns(value: string): string {
    return value;
  }

  @Option({
    flags: '--jitter-seconds <s>',
    description: 'jitter_seconds: start each run a fixed offset in [0, s) late, 0–3600',
  })
  parseJitterSeconds(value: string): string {
    return value;
  }

  @Option({
    flags: '--notify-channels <ids>',
    description: "notify_channel_ids: channel ids, comma-separated ('' for the default channels)",
  })
  parseNotifyChannels(value: string): string {
    return value;
  }

  @Option({
    flags: '--notify-on <events>',
    description: 'notify_on: run.failed, run.timed_out, run.succeeded, job.recovered, job.overdue (comma-separated)',
  })
  parseNotifyOn(value: string): string {
    return value;
  }
}
