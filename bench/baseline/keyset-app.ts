import { Controller, Get, Injectable, Module, ParseIntPipe, Query } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import 'reflect-metadata';
import type { Repository } from 'typeorm';
import { Execution } from '../../src/modules/executions/execution.entity';
import { Job } from '../../src/modules/jobs/job.entity';

/**
 * The `api` baseline: a minimal NestJS + TypeORM app on the product's database and entities,
 * returning 20 rows by keyset (`WHERE id > $after ORDER BY id LIMIT 20`): no auth, no
 * validation, no count, no mapping. BENCH_DATABASE_URL and BENCH_PORT configure it (a bench
 * script, not the product: it reads its two settings itself).
 */
@Injectable()
class KeysetService {
  constructor(
    @InjectRepository(Job) private readonly jobs: Repository<Job>,
    @InjectRepository(Execution) private readonly runs: Repository<Execution>,
  ) {}

  jobsAfter(after: number): Promise<Job[]> {
    return this.jobs
      .createQueryBuilder('job')
      .where('job.id > :after', { after })
      .orderBy('job.id', 'ASC')
      .limit(20)
      .getMany();
  }

  runsBefore(before: number): Promise<Execution[]> {
    return this.runs
      .createQueryBuilder('run')
      .where('run.id < :before', { before })
      .orderBy('run.id', 'DESC')
      .limit(20)
      .getMany();
  }
}

@Controller()
class KeysetController {
  constructor(private readonly service: KeysetService) {}

  @Get('jobs')
  jobs(@Query('after', ParseIntPipe) after: number): Promise<Job[]> {
    return this.service.jobsAfter(after);
  }

  @Get('executions')
  executions(@Query('before', ParseIntPipe) before: number): Promise<Execution[]> {
    return this.service.runsBefore(before);
  }
}

@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'postgres',
      url: process.env.BENCH_DATABASE_URL,
      entities: [Job, Execution],
      synchronize: false,
      extra: { max: 10 },
    }),
    TypeOrmModule.forFeature([Job, Execution]),
  ],
  controllers: [KeysetController],
  providers: [KeysetService],
})
class KeysetAppModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(KeysetAppModule, { logger: ['error', 'warn'] });
  await app.listen(Number(process.env.BENCH_PORT), '127.0.0.1');
  process.stdout.write(`keyset baseline listening on ${process.env.BENCH_PORT}\n`);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
