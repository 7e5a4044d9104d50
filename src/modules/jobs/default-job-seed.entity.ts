import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A default job that was created once; it is never created again, even if an admin deletes it. */
@Entity('default_job_seeds')
export class DefaultJobSeed {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  name: string;

  @CreateDateColumn({ name: 'seeded_at', type: 'timestamptz' })
  seededAt: Date;
}
