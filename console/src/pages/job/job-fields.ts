import type { Job } from '../../../../clients/typescript/src';

export const JOB_TYPES: Job['job_type'][] = [
  'custom',
  'document_cleanup',
  'analytics_aggregation',
  'user_activity_digest',
  'system_health_check',
  'database_maintenance',
  'mcp_server_health_check',
];
export const SCHEDULE_TYPES: Job['schedule_type'][] = ['interval', 'daily', 'weekly', 'monthly', 'cron'];
export const SCHEDULE_HINTS: Record<Job['schedule_type'], string> = {
  interval: 'minutes, e.g. 30',
  daily: 'HH:MM, e.g. 09:30',
  weekly: 'D:HH:MM, D = 0 Monday … 6 Sunday',
  monthly: 'D:HH:MM, D = 1–31',
  cron: '5 fields, e.g. */15 * * * *',
};

/** Parses a JSON object typed into a textarea; the message says what is wrong before anything is sent. */
export function parseJsonObject(text: string, field: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${field} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${field} must be a JSON object`);
  return value as Record<string, unknown>;
}
