import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '../../common/actor';
import { ValidationFailedError } from '../../common/errors';
import { capMessages } from '../../common/validation';
import type { ApplyJobsDto, ApplyJobsResultDto } from './dto/apply-jobs.dto';
import type { CreateJobDto } from './dto/create-job.dto';
import { definitionChanges, definitionOf, type JobDefinition } from './job-definition';
import type { Job } from './job.entity';
import { JobsRepository } from './jobs.repository';
import { JobsService, jobsTransaction } from './jobs.service';

/** A file of job definitions: what `jobs export` writes and `jobs apply` (POST /jobs/apply) reads. */
export interface JobDefinitionsFile {
  jobs: JobDefinition[];
}

/**
 * Jobs as code: exports jobs as definitions and applies a list of them declaratively, through
 * JobsService's own create, update and delete (the same checks, next-run arithmetic and audit
 * entries), all in one transaction.
 */
@Injectable()
export class JobDefinitionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobsRepository,
    private readonly jobsService: JobsService,
  ) {}

  /** Every job's definition (those carrying every tag in `tags`), sorted by name: a file apply takes as it is. */
  async export(tags: readonly string[] = []): Promise<JobDefinitionsFile> {
    const jobs = (await this.jobs.withTags(tags)).sort(byName);
    return { jobs: jobs.map((job) => definitionOf(job)) };
  }

  /**
   * Makes the jobs named in `dto.jobs` what they define (created, updated or left alone) and,
   * with `prune`, deletes the others; all or nothing. A dry run does the same and rolls it back,
   * so it answers exactly what the apply would do.
   */
  async apply(dto: ApplyJobsDto, actor: Actor): Promise<ApplyJobsResultDto> {
    const definitions = this.checked(dto.jobs);
    const work = (tx: EntityManager) => this.applyIn(tx, definitions, dto.prune ?? false, actor);
    if (!dto.dry_run) return jobsTransaction(this.dataSource, work);
    try {
      return await jobsTransaction(this.dataSource, async (tx) => {
        throw new DryRunDone(await work(tx));
      });
    } catch (error) {
      if (error instanceof DryRunDone) return error.result;
      throw error;
    }
  }

  /**
   * The definitions as create would store them (the schedule normalised, channel ids once each),
   * after create's own checks of every one: every problem of every item at once, as `jobs.N.field`.
   */
  private checked(definitions: CreateJobDto[]): CreateJobDto[] {
    const problems = repeatedNames(definitions);
    const checked = definitions.map((dto, index) => {
      try {
        const spec = this.jobsService.checkNew(dto);
        return {
          ...dto,
          schedule_type: spec.type,
          schedule_expression: spec.expression,
          timezone: spec.timezone,
          notify_channel_ids: dto.notify_channel_ids && [...new Set(dto.notify_channel_ids)],
        };
      } catch (error) {
        problems.push(...itemProblems(index, error));
        return dto;
      }
    });
    if (problems.length > 0) throw invalidItems(problems);
    return checked;
  }

  private async applyIn(
    tx: EntityManager,
    definitions: CreateJobDto[],
    prune: boolean,
    actor: Actor,
  ): Promise<ApplyJobsResultDto> {
    const named = new Set(definitions.map((d) => d.name));
    // Nothing else changes these jobs until the apply commits; prune needs every job.
    const existing = await this.jobs.lockByNames(tx, prune ? undefined : [...named]);
    const jobsByName = new Map(existing.map((job) => [job.name, job]));
    const result: ApplyJobsResultDto = { created: [], updated: [], unchanged: [], deleted: [] };
    for (const [index, definition] of definitions.entries()) {
      const job = jobsByName.get(definition.name);
      const changes = job && definitionChanges(job, definition);
      if (!job) await naming(index, () => this.jobsService.createIn(tx, definition, actor));
      else if (changes) await naming(index, () => this.jobsService.updateIn(tx, job, changes, actor));
      (!job ? result.created : changes ? result.updated : result.unchanged).push(definition.name);
    }
    if (prune) {
      for (const job of existing.filter((j) => !named.has(j.name)).sort(byName)) {
        await this.jobsService.deleteIn(tx, job, actor);
        result.deleted.push(job.name);
      }
    }
    return result;
  }
}

/** Thrown out of a dry run's transaction to roll it back, carrying what it did. */
class DryRunDone extends Error {
  constructor(readonly result: ApplyJobsResultDto) {
    super('dry run: rolled back');
  }
}

/** By name, in code-point order (the same whatever the database's collation). */
function byName(a: Job, b: Job): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** "jobs.3.name: …" for every definition whose name an earlier one already has. */
function repeatedNames(definitions: CreateJobDto[]): string[] {
  const first = new Map<string, number>();
  return definitions.flatMap((dto, index) => {
    const earlier = first.get(dto.name);
    if (earlier === undefined) first.set(dto.name, index);
    return earlier === undefined
      ? []
      : [`jobs.${index}.name: "${dto.name}" is defined twice (first as jobs.${earlier})`];
  });
}

/** A validation error about one definition, its fields named from the list: `jobs.2.schedule_expression: …`. */
function itemProblems(index: number, error: unknown): string[] {
  if (!(error instanceof ValidationFailedError)) throw error;
  return (error.details?.length ? error.details : [error.message]).map((line) => `jobs.${index}.${line}`);
}

function invalidItems(problems: string[]): ValidationFailedError {
  const lines = capMessages(problems);
  return new ValidationFailedError(lines.join('; '), lines);
}

/** Runs `work` for definition `index`; a validation error it throws (a channel that does not exist) names the item. */
async function naming<T>(index: number, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw invalidItems(itemProblems(index, error));
  }
}
