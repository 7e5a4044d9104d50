import type { ScheduleType } from '../modules/schedules/schedule.types';

/**
 * `jobs update ID --schedule EXPR` without `--schedule-type`: keep the job's schedule type
 * when the expression fits it; otherwise take the type the expression's shape names
 * (`30` interval, `04:00` daily, `1:10:00` weekly, or monthly when the day is past 6,
 * five or six fields or `@daily` cron). So the seed's `update 1 --schedule "04:00"` works on
 * an interval job. Undefined when nothing fits: the service then reports the error.
 */
export function inferScheduleType(
  expression: string,
  current: ScheduleType,
  fits: (type: ScheduleType) => boolean,
): ScheduleType | undefined {
  if (fits(current)) return current;
  const shaped = shapeOf(expression.trim());
  return shaped && shaped !== current && fits(shaped) ? shaped : undefined;
}

function shapeOf(expression: string): ScheduleType | undefined {
  if (/^\d+$/.test(expression)) return 'interval';
  if (/^\d{1,2}:\d{2}$/.test(expression)) return 'daily';
  const dayTime = /^(\d{1,2}):\d{1,2}:\d{2}$/.exec(expression);
  if (dayTime) return Number(dayTime[1]) > 6 ? 'monthly' : 'weekly';
  if (expression.startsWith('@') || expression.split(/\s+/).length >= 5) return 'cron';
  return undefined;
}
