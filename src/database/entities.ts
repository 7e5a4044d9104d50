import { AuditLog } from '../modules/audit/audit-log.entity';
import { NotificationChannel } from '../modules/channels/notification-channel.entity';
import { NotificationDelivery } from '../modules/channels/notification-delivery.entity';
import { LoginAttemptCounter } from '../modules/auth/login-attempt-counter.entity';
import { RevokedToken } from '../modules/auth/revoked-token.entity';
import { User } from '../modules/auth/user.entity';
import { Execution } from '../modules/executions/execution.entity';
import { RunLogLine } from '../modules/executions/run-logs/run-log-line.entity';
import { DefaultJobSeed } from '../modules/jobs/default-job-seed.entity';
import { Secret } from '../modules/secrets/secret.entity';
import { Job } from '../modules/jobs/job.entity';
import { JobDailyStat } from '../modules/maintenance/job-daily-stat.entity';
import { UserActivityDigest } from '../modules/tasks/user-activity-digest.entity';

/** Every entity, listed once for the app's and the TypeORM CLI's data source. */
export const ENTITIES = [
  Job,
  User,
  RevokedToken,
  LoginAttemptCounter,
  AuditLog,
  UserActivityDigest,
  Execution,
  RunLogLine,
  JobDailyStat,
  DefaultJobSeed,
  Secret,
  NotificationChannel,
  NotificationDelivery,
];
