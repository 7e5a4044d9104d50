import { z } from 'zod';
import { throwIfAborted } from '../abort';
import { ServiceTables } from '../../../database/service-tables';
import { TaskHandler } from '../task-handler.decorator';
import type { TaskContext, TaskHandlerInstance } from '../task.types';
import { AuditService, type ActorActivity } from '../../audit/audit.service';
import { UserActivityDigestsRepository } from '../user-activity-digests.repository';

const HOUR_MS = 3600 * 1000;

const kwargs = z
  .object({
    period_hours: z
      .number()
      .int()
      .min(1)
      .max(24 * 366)
      .default(24)
      .describe('Length of the period digested'),
    period_end: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('End of the period (ISO time); default: the start of the current hour'),
  })
  .strict();

export interface UserActivityDigestResult {
  period_start: string;
  period_end: string;
  audit_log_available: boolean;
  users: number;
  total_actions: number;
  digests: ActorActivity[];
}

/** The `user_activity_digest` task: audit actions per user over a period, stored and returned. */
@TaskHandler('user_activity_digest', {
  description: 'Count audit actions per user over a period; store the digest in user_activity_digests',
  kwargs,
})
export class UserActivityDigestTask implements TaskHandlerInstance {
  constructor(
    private readonly tables: ServiceTables,
    private readonly digests: UserActivityDigestsRepository,
    private readonly audit: AuditService,
  ) {}

  async run(raw: Record<string, unknown>, ctx: TaskContext): Promise<UserActivityDigestResult> {
    const input = kwargs.parse(raw);
    const end = input.period_end ? new Date(input.period_end) : startOfHour(new Date());
    const start = new Date(end.getTime() - input.period_hours * HOUR_MS);
    const base = { period_start: start.toISOString(), period_end: end.toISOString() };
    if (!(await this.tables.tableExists('audit_logs'))) {
      ctx.logger.warn('No audit_logs table yet: nothing to digest');
      return { ...base, audit_log_available: false, users: 0, total_actions: 0, digests: [] };
    }
    const activity = await this.audit.activityByActor(start, end);
    throwIfAborted(ctx.signal);
    await this.digests.replacePeriod(start, end, activity);
    const total = activity.reduce((sum, a) => sum + a.total, 0);
    ctx.logger.log(`Digested ${total} audit actions by ${activity.length} users`);
    return { ...base, audit_log_available: true, users: activity.length, total_actions: total, digests: activity };
  }
}

function startOfHour(date: Date): Date {
  return new Date(Math.floor(date.getTime() / HOUR_MS) * HOUR_MS);
}
