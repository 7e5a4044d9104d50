import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { EntityRows } from '../../../database/entity-rows';
import { RunLogLine } from './run-log-line.entity';

/** A line on its way to the database: `fields` already JSON (redacted, NUL-free). */
export interface NewRunLogLine {
  runId: number;
  seq: number;
  at: Date;
  level: string;
  message: string;
  fieldsJson: string | null;
}

/** SQL for run logs. */
@Injectable()
export class RunLogsRepository {
  private readonly rows: EntityRows<RunLogLine>;

  constructor(@InjectRepository(RunLogLine) private readonly lines: Repository<RunLogLine>) {
    this.rows = new EntityRows(lines);
  }

  /**
   * Every line of the batch in one statement (arrays unnested). Lines of a run deleted in the
   * meantime are left out rather than failing the batch for every other run.
   */
  async insert(batch: readonly NewRunLogLine[]): Promise<void> {
    await this.lines.query(
      `INSERT INTO run_logs (run_id, seq, at, level, message, fields)
       SELECT l.run_id, l.seq, l.at, l.level, l.message, l.fields
         FROM unnest($1::int[], $2::int[], $3::timestamptz[], $4::text[], $5::text[], $6::jsonb[])
              AS l(run_id, seq, at, level, message, fields)
        WHERE EXISTS (SELECT 1 FROM executions e WHERE e.id = l.run_id)
       ON CONFLICT (run_id, seq) DO NOTHING`,
      [
        batch.map((l) => l.runId),
        batch.map((l) => l.seq),
        batch.map((l) => l.at),
        batch.map((l) => l.level),
        batch.map((l) => l.message),
        batch.map((l) => l.fieldsJson),
      ],
    );
  }

  /** Up to `limit` lines of the run after `afterSeq`, oldest first. */
  async after(runId: number, afterSeq: number, limit: number): Promise<RunLogLine[]> {
    const { entities } = await this.rows.query(
      `SELECT ${this.rows.select('l')} FROM run_logs l WHERE l.run_id = $1 AND l.seq > $2 ORDER BY l.seq LIMIT $3`,
      [runId, afterSeq, limit],
    );
    return entities;
  }
}
