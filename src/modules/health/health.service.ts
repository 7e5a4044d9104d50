import { Injectable, OnApplicationBootstrap, ServiceUnavailableException } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import {
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import { AppConfig } from '../../config/app-config';
import { DatabaseServer } from '../../database/database-server';
import { ScheduleDispatcherService } from '../dispatcher/schedule-dispatcher.service';
import { QueueService } from '../executions/queue/queue.service';
import { RunWorkerService } from '../executions/worker/run-worker.service';

/** How long one readiness component may take before it counts as down. */
export const CHECK_TIMEOUT_MS = 3000;
/** The dispatch loop re-arms at least every DISPATCH_POLL_SECONDS; this much more silence means it is stuck. */
const DISPATCH_SILENCE_MARGIN_MS = 30_000;

export interface HealthAnswer {
  ready: boolean;
  result: HealthCheckResult;
}

/**
 * Liveness (the process answers) and readiness: the database, the queue backend, and, in
 * processes with those roles, the dispatch loop and the BullMQ workers.
 */
@Injectable()
export class HealthService implements OnApplicationBootstrap {
  private dispatcher: ScheduleDispatcherService | undefined;
  private worker: RunWorkerService | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly queue: QueueService,
    private readonly moduleRef: ModuleRef,
    private readonly databaseServer: DatabaseServer,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.hasRole('scheduler'))
      this.dispatcher = this.moduleRef.get(ScheduleDispatcherService, { strict: false });
    if (this.config.hasRole('worker')) this.worker = this.moduleRef.get(RunWorkerService, { strict: false });
  }

  /**
   * The process answers; and, when it supervises the embedded PostgreSQL, that it has not
   * given up restarting it (EMBEDDED_PG_RESTART_ATTEMPTS failed restarts in a row): a database
   * that is away but being restarted keeps liveness up (readiness is down meanwhile).
   */
  liveness(): Promise<HealthAnswer> {
    const checks: HealthIndicatorFunction[] = [
      () =>
        this.indicators
          .check('process')
          .up({ pid: process.pid, uptime_seconds: Math.round(process.uptime()), roles: [...this.config.roles] }),
    ];
    const supervised = this.databaseServer.supervision();
    if (supervised) {
      checks.push(() => {
        const { state, ...data } = this.databaseServer.supervision() ?? supervised;
        const indicator = this.indicators.check('embedded_database');
        if (state !== 'failed') return indicator.up({ state, ...data });
        return indicator.down({
          state,
          ...data,
          message: `The embedded PostgreSQL could not be restarted ${data.failed_attempts} times in a row: restart this process`,
        });
      });
    }
    return this.answer(checks);
  }

  readiness(): Promise<HealthAnswer> {
    const checks: HealthIndicatorFunction[] = [
      () => this.database.pingCheck('database', { timeout: CHECK_TIMEOUT_MS }),
      () =>
        this.indicators
          .check('queue')
          .attempt(async () => {
            await this.queue.ping();
            return { backend: this.queue.backend };
          })
          .withTimeout(CHECK_TIMEOUT_MS),
    ];
    if (this.config.hasRole('scheduler')) checks.push(() => this.schedulerCheck());
    if (this.config.hasRole('worker')) checks.push(() => this.workerCheck());
    return this.answer(checks);
  }

  private schedulerCheck() {
    const indicator = this.indicators.check('scheduler');
    const lastAliveAt = this.dispatcher?.lastAliveAt ?? 0;
    const silentMs = Date.now() - lastAliveAt;
    const data = { last_alive_at: lastAliveAt ? new Date(lastAliveAt).toISOString() : null };
    if (lastAliveAt === 0) return indicator.down({ ...data, message: 'The dispatch loop has not started yet' });
    if (silentMs > this.config.dispatchPollSeconds * 1000 + DISPATCH_SILENCE_MARGIN_MS) {
      return indicator.down({
        ...data,
        message: `The dispatch loop has been silent for ${Math.round(silentMs / 1000)} s`,
      });
    }
    return indicator.up(data);
  }

  private workerCheck() {
    const indicator = this.indicators.check('worker');
    const running = this.worker?.runningQueues ?? [];
    const data = { queues: this.worker?.queues ?? [], running };
    return running.length > 0
      ? indicator.up(data)
      : indicator.down({ ...data, message: 'No BullMQ worker is running' });
  }

  private async answer(checks: HealthIndicatorFunction[]): Promise<HealthAnswer> {
    try {
      return { ready: true, result: await this.health.check(checks) };
    } catch (error) {
      if (error instanceof ServiceUnavailableException)
        return { ready: false, result: error.getResponse() as HealthCheckResult };
      throw error;
    }
  }
}
