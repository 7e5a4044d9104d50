import { Injectable, Module } from '@nestjs/common';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import { Command, CommandFactory, CommandRunner } from 'nest-commander';
import 'reflect-metadata';
import type { Repository } from 'typeorm';
import { Job } from '../../src/modules/jobs/job.entity';

/**
 * The `cli` baseline: a minimal nest-commander + TypeORM command on the product's database and
 * Job entity that prints the first 20 jobs, one line each: no configuration schema, no
 * migrations check, no auth, no queue, no table library. BENCH_DATABASE_URL names the database
 * (a bench script, not the product: it reads its one setting itself).
 */
@Injectable()
@Command({ name: 'list', description: 'Print the first 20 jobs' })
class ListCommand extends CommandRunner {
  constructor(@InjectRepository(Job) private readonly jobs: Repository<Job>) {
    super();
  }

  async run(): Promise<void> {
    const rows = await this.jobs.find({ order: { id: 'ASC' }, take: 20 });
    for (const job of rows) process.stdout.write(`${job.id}\t${job.name}\t${job.status}\t${job.scheduleExpression}\n`);
  }
}

@Module({
  imports: [
    TypeOrmModule.forRoot({ type: 'postgres', url: process.env.BENCH_DATABASE_URL, entities: [Job], logging: false }),
    TypeOrmModule.forFeature([Job]),
  ],
  providers: [ListCommand],
})
class BaselineCliModule {}

void CommandFactory.run(BaselineCliModule, { logger: false });
