import { isDeepStrictEqual } from 'node:util';
import { keepRedacted } from '../../common/logging/redaction';
import type { CreateJobDto } from './dto/create-job.dto';
import { JobResponseDto } from './dto/job-response.dto';
import type { UpdateJobDto } from './dto/update-job.dto';
import type { Job } from './job.entity';
import { JOB_DEFAULTS } from './job-defaults';

/**
 * Create fields that are runtime state, not definition: `status` is what pause and resume set
 * (with who paused and why), so an export leaves it out and an apply changes it only when a
 * definition names it; a job created without it starts active, as with POST /jobs/.
 */
export const RUNTIME_FIELDS = ['status'] as const satisfies readonly (keyof CreateJobDto)[];
type RuntimeField = (typeof RUNTIME_FIELDS)[number];

export type DefinitionField = Exclude<keyof CreateJobDto, RuntimeField>;

/** A job as code: the fields of POST /jobs/ (API names) but runtime state, each one present. */
export type JobDefinition = { [K in DefinitionField]-?: Exclude<CreateJobDto[K], undefined> };

/** A field create requires: a definition has no default for it. */
const REQUIRED = Symbol('required');

/**
 * Every field of a definition, in the order an export writes them, with what a definition that
 * leaves it out stands for: POST /jobs/'s default. A field added to CreateJobDto goes here, or
 * into RUNTIME_FIELDS (the type below and test/unit/jobs/job-definition.spec.ts insist).
 */
const DEFINITION_FIELDS = {
  name: REQUIRED,
  title: REQUIRED,
  description: null,
  job_type: REQUIRED,
  schedule_type: REQUIRED,
  schedule_expression: REQUIRED,
  timezone: JOB_DEFAULTS.timezone,
  task_name: REQUIRED,
  task_args: [],
  task_kwargs: {},
  task_queue: JOB_DEFAULTS.task_queue,
  task_priority: JOB_DEFAULTS.task_priority,
  timeout_seconds: JOB_DEFAULTS.timeout_seconds,
  max_retries: JOB_DEFAULTS.max_retries,
  retry_backoff_seconds: JOB_DEFAULTS.retry_backoff_seconds,
  misfire_policy: JOB_DEFAULTS.misfire_policy,
  overlap_policy: JOB_DEFAULTS.overlap_policy,
  is_enabled: JOB_DEFAULTS.is_enabled,
  config: {},
  metadata: {},
  tags: [],
  start_at: null,
  end_at: null,
  max_runs: null,
  jitter_seconds: JOB_DEFAULTS.jitter_seconds,
  notify_channel_ids: [],
  notify_on: JOB_DEFAULTS.notify_on,
} satisfies { [K in DefinitionField]: Readonly<JobDefinition[K]> | typeof REQUIRED };

const DEFINITION_KEYS = Object.keys(DEFINITION_FIELDS) as DefinitionField[];

/**
 * Fields a definition may write otherwise than answers show them, and when it holds the job's
 * value all the same. JSON whose answers show credentials as "***": when it holds what the job
 * stores (the credentials themselves; "***" under a credential key keeps the stored value, as PUT
 * does). Times: when they are the same instant, however written ("Z" or "+02:00", with or without
 * milliseconds).
 */
const SAME_AS_STORED: Partial<Record<DefinitionField, (desired: unknown, job: Job) => boolean>> = {
  task_kwargs: (desired, job) => holdsStored(desired, job.taskKwargs),
  config: (desired, job) => holdsStored(desired, job.config),
  metadata: (desired, job) => holdsStored(desired, job.metadata),
  start_at: (desired, job) => sameInstant(desired, job.startAt),
  end_at: (desired, job) => sameInstant(desired, job.endAt),
};

/**
 * The job's definition: its fields of POST /jobs/ as GET /jobs/{id} shows them (credentials as
 * "***"), without ids, counters, times or runtime state. What `jobs export` writes and what
 * apply compares a definition with.
 */
export function definitionOf(job: Job): JobDefinition {
  return pick(JobResponseDto.from(job), DEFINITION_KEYS) as JobDefinition;
}

/** `dto`'s definition: every field it leaves out set to POST /jobs/'s default. */
export function withDefaults(dto: CreateJobDto): JobDefinition {
  const given = dto as Partial<Record<DefinitionField, unknown>>;
  const entries = DEFINITION_KEYS.map((field) => {
    const fallback = DEFINITION_FIELDS[field];
    const value = given[field] !== undefined || fallback === REQUIRED ? given[field] : copy(fallback);
    return [field, value];
  });
  return Object.fromEntries(entries) as JobDefinition;
}

/**
 * What a PUT must change to make `job` what `dto` defines (a field it leaves out: the default),
 * or null when `job` already is. Runtime fields change only when `dto` names them.
 */
export function definitionChanges(job: Job, dto: CreateJobDto): UpdateJobDto | null {
  const shown = JobResponseDto.from(job) as unknown as Record<string, unknown>;
  const desired = withDefaults(dto) as Record<DefinitionField, unknown>;
  const changes: Record<string, unknown> = {};
  for (const field of DEFINITION_KEYS) {
    if (!holds(field, desired[field], shown[field], job)) changes[field] = desired[field];
  }
  for (const field of RUNTIME_FIELDS) {
    if (dto[field] !== undefined && dto[field] !== shown[field]) changes[field] = dto[field];
  }
  return Object.keys(changes).length > 0 ? changes : null;
}

function holds(field: DefinitionField, desired: unknown, shown: unknown, job: Job): boolean {
  return isDeepStrictEqual(desired, shown) || (SAME_AS_STORED[field]?.(desired, job) ?? false);
}

function holdsStored(desired: unknown, stored: unknown): boolean {
  return isDeepStrictEqual(keepRedacted(desired, stored), stored);
}

function sameInstant(desired: unknown, stored: Date | null): boolean {
  return typeof desired === 'string' && stored !== null && new Date(desired).getTime() === stored.getTime();
}

/** A default of its own to each definition (they are flat: [], {}, a list of strings). */
function copy(value: unknown): unknown {
  if (Array.isArray(value)) return [...(value as unknown[])];
  return value !== null && typeof value === 'object' ? { ...value } : value;
}

function pick(source: object, keys: readonly string[]): Record<string, unknown> {
  const values = source as Record<string, unknown>;
  return Object.fromEntries(keys.map((key) => [key, values[key]]));
}
