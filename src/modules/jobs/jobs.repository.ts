import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { EntityRows } from '../../database/entity-rows';
import type { PageRequest } from '../../common/pagination';
import { DUE_JOB_SQL, Job, type JobStatus, type JobType } from './job.entity';
import { PageBoundaries, type PageBoundary } from './page-boundaries';
import { CHANNEL_JOBS_CHANGED, notifyOnCommit } from '../../database/pg-notifier.service';

export interface JobFilter {
  status?: JobStatus;
  isEnabled?: boolean;
  jobType?: JobType;
  search?: string;
  /** Only jobs that should have fired before this instant (due and late: the overdue list). */
  dueBefore?: Date;
  /** Jobs carrying every one of these tags. */
  tags?: string[];
  /** Field and direction, e.g. `-next_run_at`. */
  sort?: string;
}

/** Sort fields of the API and the columns behind them. */
const SORT_COLUMNS: Record<string, string> = {
  id: 'id',
  name: 'name',
  created_at: 'created_at',
  next_run_at: 'next_run_at',
  last_run_at: 'last_run_at',
};

/**
 * From this offset on, a list page selects ids first and whole rows for the page alone (a
 * deferred join); before it, one plain scan reads fewer rows than the join costs to plan.
 */
const DEFERRED_JOIN_OFFSET = 200;

/** SQL for jobs lives here, behind intent-named methods. */
@Injectable()
export class JobsRepository {
  private readonly rows: EntityRows<Job>;
  private readonly boundaries = new PageBoundaries();

  constructor(@InjectRepository(Job) private readonly jobs: Repository<Job>) {
    this.rows = new EntityRows(jobs);
  }

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

  /** The jobs with these names (every job without `names`), locked for the rest of `tx`, taken in id order. */
  lockByNames(tx: EntityManager, names?: string[]): Promise<Job[]> {
    const query = tx.getRepository(Job).createQueryBuilder('job').setLock('pessimistic_write').orderBy('job.id');
    if (names) query.where('job.name = ANY(:names)', { names });
    return query.getMany();
  }

  /** Every job carrying all of `tags` (every job when there are none). */
  withTags(tags: readonly string[]): Promise<Job[]> {
    const query = this.jobs.createQueryBuilder('job').orderBy('job.id');
    if (tags.length > 0) query.where('job.tags @> CAST(:tags AS varchar[])', { tags });
    return query.getMany();
  }

  /**
   * One page and the total. Past the first pages the page is a deferred join: the OFFSET walk
   * selects ids only (an index-only scan on the filter indexes), and whole rows are read for the
   * page alone; the first pages (offset < DEFERRED_JOIN_OFFSET) are one plain scan. Without
   * a text search the total (a sum over `job_counts`, at most 28 rows kept exact by triggers in
   * the transaction of every job change: migration JobCounts) rides along in the same
   * statement: one round trip; a page past the end asks for the total alone. A search, tags or the
   * overdue filter count the matching jobs in a concurrent second query. Plain SQL read through
   * EntityRows: this is the API's busiest read.
   *
   * In id order with equality filters only, a page past the first ones remembers where it and
   * the next page start (PageBoundaries); a later request for a page at or after a remembered
   * start seeks there (`id > boundary`) instead of walking the OFFSET, and keeps the answer only
   * if no job entered or left the list in between (migration JobCountsChanges).
   */
  async list(filter: JobFilter, page: PageRequest): Promise<[Job[], number]> {
    const [field, direction] = parseSort(filter.sort);
    const order = (alias: string) =>
      `${alias}.${SORT_COLUMNS[field]} ${direction} NULLS ${direction === 'ASC' ? 'LAST' : 'FIRST'}` +
      (field === 'id' ? '' : `, ${alias}.id ASC`);
    const params: unknown[] = [];
    const offset = (page.page - 1) * page.size;
    const counted = !countsRows(filter);
    const total = () => (counted ? `, (${countedFromJobCounts(filter, params)}) AS list_total` : '');
    if (offset < DEFERRED_JOIN_OFFSET) {
      // The first pages: one plain scan (the deferred join costs more to plan than it saves here).
      const where = filteredWhere(filter, 'job', params);
      const sql = `SELECT ${this.rows.select('job')}${total()} FROM jobs job ${where} ORDER BY ${order('job')} OFFSET ${param(params, offset)} LIMIT ${param(params, page.size)}`;
      return this.pageOf(sql, params, filter, counted);
    }
    const list = counted && field === 'id' ? listKey(filter, direction) : undefined;
    if (!list) {
      const where = filteredWhere(filter, 'page', params);
      const ids = `SELECT page.id FROM jobs page ${where} ORDER BY ${order('page')} OFFSET ${param(params, offset)} LIMIT ${param(params, page.size)}`;
      const sql = `SELECT ${this.rows.select('job')}${total()} FROM jobs job WHERE job.id IN (${ids}) ORDER BY ${order('job')}`;
      return this.pageOf(sql, params, filter, counted);
    }
    const boundary = this.boundaries.nearest(list, offset);
    if (boundary) {
      const found = await this.seekPage(filter, direction, list, boundary, offset, page.size);
      if (found) return found;
    }
    // The OFFSET walk, from the row before the page: its id is where the page starts.
    const where = filteredWhere(filter, 'page', params);
    const ids = `SELECT page.id FROM jobs page ${where} ORDER BY ${order('page')} OFFSET ${param(params, offset - 1)} LIMIT ${param(params, page.size + 1)}`;
    const sql = `SELECT ${this.rows.select('job')}${total()}, (${changesFromJobCounts(filter, params)}) AS list_generation FROM jobs job WHERE job.id IN (${ids}) ORDER BY ${order('job')}`;
    const { entities, rows } = await this.rows.query(sql, params);
    if (entities.length <= 1) return [[], await this.count(filter)];
    this.rememberStarts(list, offset - 1, entities, String(rows[0].list_generation), page.size);
    return [entities.slice(1), Number(rows[0].list_total)];
  }

  /**
   * The page at `offset` of `list`, sought from a remembered boundary in one statement; null when
   * the list has changed since the boundary was found (it is forgotten) or the page is empty.
   */
  private async seekPage(
    filter: JobFilter,
    direction: 'ASC' | 'DESC',
    list: string,
    boundary: PageBoundary,
    offset: number,
    size: number,
  ): Promise<[Job[], number] | null> {
    const params: unknown[] = [];
    // From the row before the page when the page does not start at the boundary itself.
    const from = offset === boundary.offset ? boundary.offset : offset - 1;
    const conditions = filteredWhere(filter, 'job', params);
    const seek = `job.id ${direction === 'ASC' ? '>' : '<'} ${param(params, boundary.id)}`;
    const sql =
      `SELECT ${this.rows.select('job')}, (${countedFromJobCounts(filter, params)}) AS list_total, ` +
      `(${changesFromJobCounts(filter, params)}) AS list_generation FROM jobs job ` +
      `${conditions ? `${conditions} AND` : 'WHERE'} ${seek} ORDER BY job.id ${direction} ` +
      `OFFSET ${param(params, from - boundary.offset)} LIMIT ${param(params, size + offset - from)}`;
    const { entities, rows } = await this.rows.query(sql, params);
    if (entities.length === 0) return null;
    const generation = String(rows[0].list_generation);
    if (generation !== boundary.generation) {
      this.boundaries.forget(list);
      return null;
    }
    if (from < offset) {
      this.rememberStarts(list, from, entities, generation, size);
      return [entities.slice(1), Number(rows[0].list_total)];
    }
    if (entities.length === size)
      this.boundaries.remember(list, { offset: offset + size, id: entities[size - 1].id, generation });
    return [entities, Number(rows[0].list_total)];
  }

  /** `entities` from position `first` of `list` on (the row before a page, then the page): where that page and the next start. */
  private rememberStarts(list: string, first: number, entities: Job[], generation: string, size: number): void {
    this.boundaries.remember(list, { offset: first + 1, id: entities[0].id, generation });
    if (entities.length === size + 1)
      this.boundaries.remember(list, { offset: first + 1 + size, id: entities[size].id, generation });
  }

  /** Runs a page statement that carries `list_total` when `counted`, else counts beside it. */
  private async pageOf(sql: string, params: unknown[], filter: JobFilter, counted: boolean): Promise<[Job[], number]> {
    if (!counted) return Promise.all([this.rows.query(sql, params).then((r) => r.entities), this.count(filter)]);
    const { entities, rows } = await this.rows.query(sql, params);
    if (entities.length === 0) return [[], await this.count(filter)];
    return [entities, Number(rows[0].list_total)];
  }

  /** The list's total: a sum over `job_counts` without `search` or `dueBefore`, else a count of the matching jobs. */
  private async count(filter: JobFilter): Promise<number> {
    const params: unknown[] = [];
    const sql = countsRows(filter)
      ? `SELECT count(*)::int AS n FROM jobs counted ${filteredWhere(filter, 'counted', params)}`
      : countedFromJobCounts(filter, params);
    const [row]: { n: number }[] = await this.jobs.query(sql, params);
    return row?.n ?? 0;
  }

  insert(job: Partial<Job>, tx: EntityManager): Promise<Job> {
    const repo = tx.getRepository(Job);
    return repo.save(repo.create(job));
  }

  save(job: Job, tx: EntityManager): Promise<Job> {
    return tx.getRepository(Job).save(job);
  }

  /** Removes a channel from every job's notify_channel_ids; returns the jobs changed. */
  async dropChannel(tx: EntityManager, channelId: number): Promise<number[]> {
    const [rows]: [{ id: number }[], number] = await tx.query(
      `UPDATE jobs SET notify_channel_ids = array_remove(notify_channel_ids, $1), updated_at = now()
        WHERE notify_channel_ids @> ARRAY[$1::int] RETURNING id`,
      [channelId],
    );
    return rows.map((r) => r.id);
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

/** Whether the total needs a count of the matching jobs (a filter job_counts does not keep). */
function countsRows(filter: JobFilter): boolean {
  return Boolean(filter.search || filter.dueBefore || (filter.tags && filter.tags.length > 0));
}

/** Appends a parameter and answers its placeholder. */
function param(params: unknown[], value: unknown): string {
  params.push(value);
  return `$${params.length}`;
}

/** `WHERE …` of the list's filters on `alias` (empty without filters); parameters appended. */
function filteredWhere(filter: JobFilter, alias: string, params: unknown[]): string {
  const conditions = equalityFilters(filter).map(([column, value]) => `${alias}.${column} = ${param(params, value)}`);
  if (filter.dueBefore) {
    conditions.push(`${DUE_JOB_SQL} AND ${alias}.next_run_at < ${param(params, filter.dueBefore)}`);
  }
  if (filter.tags && filter.tags.length > 0)
    conditions.push(`${alias}.tags @> ${param(params, filter.tags)}::varchar[]`);
  if (filter.search) {
    const p = param(params, `%${escapeLike(filter.search)}%`);
    conditions.push(
      `(${['name', 'title', 'description'].map((c) => `${alias}.${c} ILIKE ${p} ESCAPE '\\'`).join(' OR ')})`,
    );
  }
  return conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
}

/** `SELECT n`: the number of jobs matching the equality filters, summed over `job_counts`; parameters appended. */
function countedFromJobCounts(filter: JobFilter, params: unknown[]): string {
  return `SELECT coalesce(sum(c.n), 0)::int AS n ${jobCountsOf(filter, params)}`;
}

/**
 * `SELECT changes`: how often jobs entered or left the groups of `job_counts` the equality filters
 * select (migration JobCountsChanges), as text; parameters appended.
 */
function changesFromJobCounts(filter: JobFilter, params: unknown[]): string {
  return `SELECT coalesce(sum(c.changes), 0)::text ${jobCountsOf(filter, params)}`;
}

/** `FROM job_counts c WHERE …`: the groups the equality filters select; parameters appended. */
function jobCountsOf(filter: JobFilter, params: unknown[]): string {
  const conditions = equalityFilters(filter).map(([column, value]) => `c.${column} = ${param(params, value)}`);
  return `FROM job_counts c${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}`;
}

/** The name of a list in id order under equality filters (PageBoundaries' key). */
function listKey(filter: JobFilter, direction: 'ASC' | 'DESC'): string {
  return JSON.stringify([direction, ...equalityFilters(filter)]);
}

function parseSort(sort: string | undefined): [string, 'ASC' | 'DESC'] {
  if (!sort) return ['id', 'ASC'];
  return sort.startsWith('-') ? [sort.slice(1), 'DESC'] : [sort, 'ASC'];
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
