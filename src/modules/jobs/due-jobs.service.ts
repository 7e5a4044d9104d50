import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DueJobsRepository, type DueJob } from './due-jobs.repository';

export type { DueJob } from './due-jobs.repository';

/** What the dispatcher asks of jobs: when the next one is due, the due ones (locked), and moving them on. */
@Injectable()
export class DueJobsService {
  constructor(private readonly due: DueJobsRepository) {}

  /** The earliest `next_run_at` of an enabled, active job; null when none is scheduled. */
  earliestDue(): Promise<Date | null> {
    return this.due.earliestDue();
  }

  /** Locks up to `limit` jobs due by `horizon` for the rest of `tx`; jobs another dispatcher holds are skipped. */
  lockDue(tx: EntityManager, horizon: Date, limit: number): Promise<DueJob[]> {
    return this.due.lockDue(tx, horizon, limit);
  }

  /** Sets each job's next fire time (null parks it). */
  advance(tx: EntityManager, updates: { id: number; nextRunAt: Date | null; recorded: number }[]): Promise<void> {
    return this.due.advance(tx, updates);
  }

  /** Gives fire times claimed ahead back: each job's next_run_at moves back to its earliest one (DueJobsRepository.rewind). */
  rewind(tx: EntityManager, fireTimes: { id: number; at: Date }[]): Promise<void> {
    return this.due.rewind(tx, fireTimes);
  }
}
