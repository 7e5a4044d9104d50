import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { z } from 'zod';
import { AppConfig } from '../../../config/app-config';
import {
  NotConfiguredQueueHealthProbe,
  QUEUE_HEALTH_PROBE,
  type QueueHealthProbe,
  type QueueHealthReport,
} from '../queue-health';
import { ServiceTables } from '../../../database/service-tables';
import { TaskHandler } from '../task-handler.decorator';
import type { TaskContext, TaskHandlerInstance } from '../task.types';

type Status = 'healthy' | 'degraded' | 'unhealthy';
const RANK: Record<Status, number> = { healthy: 0, degraded: 1, unhealthy: 2 };
const worst = (statuses: Status[]): Status => statuses.reduce((a, b) => (RANK[b] > RANK[a] ? b : a), 'healthy');

const kwargs = z
  .object({
    min_free_disk_percent: z
      .number()
      .min(0)
      .max(100)
      .default(10)
      .describe('Below this, disk is unhealthy (below twice this, degraded)'),
    max_db_latency_ms: z.number().positive().default(1000).describe('A slower database round trip is degraded'),
    min_free_memory_percent: z.number().min(0).max(100).default(5).describe('Less free system memory is degraded'),
    alert: z.boolean().default(true).describe('POST the report to ALERT_WEBHOOK_URL when unhealthy'),
  })
  .strict();
type Kwargs = z.infer<typeof kwargs>;

export interface HealthReport {
  status: Status;
  checked_at: string;
  database: { status: Status; reachable: boolean; latency_ms: number | null; error?: string };
  queue: QueueHealthReport & { status: Status };
  disk:
    | { status: Status; path: string; total_bytes: number; free_bytes: number; free_percent: number }
    | { status: Status; path: string; error: string };
  memory: {
    status: Status;
    rss_bytes: number;
    heap_used_bytes: number;
    system_total_bytes: number;
    system_free_bytes: number;
    free_percent: number;
  };
  alert: { sent: boolean; url?: string; status_code?: number; error?: string };
}

/** The `system_health_check` default job: database, queue, workers, disk and memory; alerts when unhealthy. */
@TaskHandler('system_health_check', {
  description: 'Check database, queue, workers, disk and memory; alert ALERT_WEBHOOK_URL when unhealthy',
  kwargs,
})
export class SystemHealthCheckTask implements TaskHandlerInstance, OnModuleInit {
  private queueProbe: QueueHealthProbe = new NotConfiguredQueueHealthProbe();

  constructor(
    private readonly config: AppConfig,
    private readonly tables: ServiceTables,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    try {
      this.queueProbe = this.moduleRef.get<QueueHealthProbe>(QUEUE_HEALTH_PROBE, { strict: false });
    } catch {
      // No probe registered: the queue is reported as "not configured".
    }
  }

  async run(raw: Record<string, unknown>, ctx: TaskContext): Promise<HealthReport> {
    const input = kwargs.parse(raw);
    const [database, queue, disk] = await Promise.all([
      this.checkDatabase(input),
      this.checkQueue(ctx.signal),
      this.checkDisk(input),
    ]);
    const memory = checkMemory(input);
    const status = worst([database.status, queue.status, disk.status, memory.status]);
    const report: HealthReport = {
      status,
      checked_at: new Date().toISOString(),
      database,
      queue,
      disk,
      memory,
      alert: { sent: false },
    };
    if (status === 'unhealthy' && input.alert && this.config.alertWebhookUrl)
      report.alert = await this.sendAlert(report, ctx);
    ctx.logger[status === 'healthy' ? 'log' : 'warn'](`System health: ${status}`);
    return report;
  }

  private async checkDatabase(input: Kwargs): Promise<HealthReport['database']> {
    try {
      const latency = Math.round((await this.tables.ping()) * 100) / 100;
      return {
        status: latency > input.max_db_latency_ms ? 'degraded' : 'healthy',
        reachable: true,
        latency_ms: latency,
      };
    } catch (error) {
      return { status: 'unhealthy', reachable: false, latency_ms: null, error: messageOf(error) };
    }
  }

  private async checkQueue(signal: AbortSignal): Promise<HealthReport['queue']> {
    try {
      const report = await this.queueProbe.check(signal);
      if (!report.configured) return { ...report, status: 'healthy' };
      if (report.reachable === false) return { ...report, status: 'unhealthy' };
      return { ...report, status: report.live_workers === 0 ? 'degraded' : 'healthy' };
    } catch (error) {
      return { configured: true, reachable: false, error: messageOf(error), status: 'unhealthy' };
    }
  }

  private async checkDisk(input: Kwargs): Promise<HealthReport['disk']> {
    const target = await nearestExisting(this.config.dataDir);
    try {
      const stats = await fs.statfs(target);
      const total = stats.blocks * stats.bsize;
      const free = stats.bavail * stats.bsize;
      const percent = total > 0 ? Math.round((free / total) * 10000) / 100 : 0;
      const status: Status =
        percent < input.min_free_disk_percent
          ? 'unhealthy'
          : percent < input.min_free_disk_percent * 2
            ? 'degraded'
            : 'healthy';
      return { status, path: target, total_bytes: total, free_bytes: free, free_percent: percent };
    } catch (error) {
      return { status: 'unhealthy', path: target, error: messageOf(error) };
    }
  }

  private async sendAlert(report: HealthReport, ctx: TaskContext): Promise<HealthReport['alert']> {
    const url = this.config.alertWebhookUrl!;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ event: 'system_health_check.unhealthy', job: ctx.jobName, run_id: ctx.runId, report }),
        signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(10_000)]),
      });
      await response.body?.cancel();
      if (!response.ok) ctx.logger.warn(`Alert webhook answered HTTP ${response.status}`);
      return { sent: response.ok, url, status_code: response.status };
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      ctx.logger.warn(`Alert webhook failed: ${messageOf(error)}`);
      return { sent: false, url, error: messageOf(error) };
    }
  }
}

function checkMemory(input: Kwargs): HealthReport['memory'] {
  const usage = process.memoryUsage();
  const total = os.totalmem();
  const free = os.freemem();
  const percent = Math.round((free / total) * 10000) / 100;
  return {
    status: percent < input.min_free_memory_percent ? 'degraded' : 'healthy',
    rss_bytes: usage.rss,
    heap_used_bytes: usage.heapUsed,
    system_total_bytes: total,
    system_free_bytes: free,
    free_percent: percent,
  };
}

/** DATA_DIR may not exist yet (external mode): measure the filesystem it would live on. */
async function nearestExisting(dir: string): Promise<string> {
  let current = dir;
  for (;;) {
    try {
      await fs.access(current);
      return current;
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
