import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, type EntityManager, type ObjectLiteral, type Repository, type SelectQueryBuilder } from 'typeorm';
import type { PageRequest } from '../../common/pagination';
import { DUE_JOB_SQL, Job, type JobStatus, type JobType } from './job.entity';
import { CHANNEL_JOBS_CHANGED, notifyOnCommit } from '../../database/pg-notifier.service';

export interface JobFilter {
  status?: JobStatus;
  isEnabled?: boolean;
  jobType?: JobType;
  search?: string;
  /** Only jobs that should have fired before this instant (due and late: the overdue list). */
  dueBefore?: Date;
  /** Field and direction, e.g. `-next_run_at`. */
  sort?: string;
}

/** Sort fields of the API and the entity properties behind them. */
const SORT_PROPERTIES: Record<string, string> = {
  id: 'id',
  name: 'name',
  created_at: 'createdAt',
  next_run_at: 'nextRunAt',
  last_run_at: 'lastRunAt',
};

/** SQL for jobs lives here, behind intent-named methods. */
@Injectable()
export class JobsRepository {
  constructor(@InjectRepository(Job) private readonly jobs: Repository<Job>) {}

  private repo(tx?: EntityManager): Repository<Job> {
    return tx ? tx.getRepository(Job) : this.jobs;
  }

  findById(id: number, tx?: EntityManager): Promise<Job | null> {
    return this.repo(tx).findOneBy({ id });
  }

  /** Locks the row for the rest of the transaction (changes to one job are serialised). */
  findByIdForUpdate(id: number, tx: EntityManager): Promise<Job | null> {
    return tx
      .getRepository(Job)
      .createQueryBuilder('job')
      .setLock('pessimistic_write')
      .where('job.id = :id', { id })
      .getOne();
  }

  findByName(name: string, tx?: EntityManager): Promise<Job | null> {
    return this.repo(tx).findOneBy({ name });
  }

  /**
   * One page and the total. The page is a deferred join: the OFFSET walk selects ids only (an
   * index-only scan on the filter indexes), and whole rows are read for the page alone. Without
   * a text search the total (a sum over `job_counts`) rides along in the same statement: one
   * round trip; a page past the end asks for the total alone. A search counts in a concurrent
   * second query.
   */
  async list(filter: JobFilter, page: PageRequest): Promise<[Job[], number]> {
    const [field, direction] = parseSort(filter.sort);
    const ordered = <T extends SelectQueryBuilder<Job>>(qb: T, alias: string): T => {
      qb.orderBy(`${alias}.${SORT_PROPERTIES[field]}`, direction, direction === 'ASC' ? 'NULLS LAST' : 'NULLS FIRST');
      if (field !== 'id') qb.addOrderBy(`${alias}.id`, 'ASC');
      return qb;
    };
    const ids = ordered(this.filtered(filter, 'page'), 'page')
      .select('page.id')
      .offset((page.page - 1) * page.size)
      .limit(page.size);
    const rows = ordered(this.jobs.createQueryBuilder('job'), 'job')
      .where(`job.id IN (${ids.getQuery()})`)
      .setParameters(ids.getParameters());
    if (filter.search || filter.dueBefore) return Promise.all([rows.getMany(), this.count(filter)]);
    const counted = this.countedFromJobCounts(filter);
    const { entities, raw } = await rows
      .addSelect(`(${counted.getQuery()})`, 'list_total')
      .setParameters(counted.getParameters())
      .getRawAndEntities<{ list_total: number }>();
    if (entities.length === 0) return [[], await this.count(filter)];
    return [entities, Number(raw[0].list_total)];
  }

  /**
   * The list's total. Without `search` it is a sum over `job_counts` (at most 28 rows, kept
   * exact by triggers in the transaction of every job change: migration JobCounts); a text
   * search counts the matching jobs.
   */
  private async count(filter: JobFilter): Promise<number> {
    if (filter.search || filter.dueBefore) return this.filtered(filter, 'counted').getCount();
    const row = await this.countedFromJobCounts(filter).getRawOne<{ n: number }>();
    return row?.n ?? 0;
  }

  /** `SELECT n`: the number of jobs matching the equality filters, summed over `job_counts`. */
  private countedFromJobCounts(filter: JobFilter): SelectQueryBuilder<ObjectLiteral> {
    const qb = this.jobs.manager.createQueryBuilder().select('coalesce(sum(c.n), 0)::int', 'n').from('job_counts', 'c');
    for (const [column, value] of equalityFilters(filter)) qb.andWhere(`c.${column} = :${column}`, { [column]: value });
    return qb;
  }

  insert(job: Partial<Job>, tx: EntityManager): Promise<Job> {
    const repo = tx.getRepository(Job);
    return repo.save(repo.create(job));
  }

  save(job: Job, tx: EntityManager): Promise<Job> {
    return tx.getRepository(Job).save(job);
  }

  /** Wakes every dispatcher (this process included) when the transaction commits. */
  async notifyChanged(tx: EntityManager, id: number): Promise<void> {
    await notifyOnCommit(tx, CHANNEL_JOBS_CHANGED, String(id));
  }

  /** Enabled, active jobs whose next fire time is more than `graceSeconds` past. */
  overdue(now: Date, graceSeconds: number): Promise<Job[]> {
    return this.jobs
      .createQueryBuilder('job')
      .where(DUE_JOB_SQL)
      .andWhere('job.nextRunAt < :cutoff', { cutoff: new Date(now.getTime() - graceSeconds * 1000) })
      .orderBy('job.nextRunAt', 'ASC')
      .getMany();
  }

  async jobTypeOf(id: number): Promise<JobType | null> {
    const job = await this.jobs.findOne({ select: { id: true, jobType: true }, where: { id } });
    return job?.jobType ?? null;
  }

  /** Every queue some job uses, sorted. */
  async queues(): Promise<string[]> {
    const rows: { task_queue: string }[] = await this.jobs
      .createQueryBuilder('job')
      .select('DISTINCT job.task_queue', 'task_queue')
      .orderBy('task_queue')
      .getRawMany();
    return rows.map((r) => r.task_queue);
  }

  async delete(id: number, tx: EntityManager): Promise<void> {
    await tx.getRepository(Job).delete({ id });
  }

  private filtered(filter: JobFilter, alias: string): SelectQueryBuilder<Job> {
    const qb = this.jobs.createQueryBuilder(alias);
    for (const [column, value] of equalityFilters(filter))
      qb.andWhere(`${alias}.${column} = :${column}`, { [column]: value });
    if (filter.dueBefore) {
      qb.andWhere(`${DUE_JOB_SQL} AND ${alias}.next_run_at < :dueBefore`, { dueBefore: filter.dueBefore });
    }
    if (filter.search) {
      const pattern = `%${escapeLike(filter.search)}%`;
      qb.andWhere(
        new Brackets((w) =>
          w
            .where(`${alias}.name ILIKE :pattern ESCAPE '\\'`, { pattern })
            .orWhere(`${alias}.title ILIKE :pattern ESCAPE '\\'`)
            .orWhere(`${alias}.description ILIKE :pattern ESCAPE '\\'`),
        ),
      );
    }
    return qb;
  }
}

/** The filters that are plain equalities, by column (the same columns in `jobs` and `job_counts`). */
function equalityFilters(filter: JobFilter): [string, unknown][] {
  const pairs: [string, unknown][] = [
    ['status', filter.status],
    ['is_enabled', filter.isEnabled],
    ['job_type', filter.jobType],
  ];
  return pairs.filter(([, value]) => value !== undefined && value !== '');
}

function parseSort(sort: string | undefined): [string, 'ASC' | 'DESC'] {
  if (!sort) return ['id', 'ASC'];
  return sort.startsWith('-') ? [sort.slice(1), 'DESC'] : [sort, 'ASC'];
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
