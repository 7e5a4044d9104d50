import type { MigrationInterface } from 'typeorm';
import { Initial1795890124886 } from './1795890124886-Initial';
import { AuthAudit1795890503295 } from './1795890503295-AuthAudit';
import { UserActivityDigests1795891000000 } from './1795891000000-UserActivityDigests';
import { Executions1795891100000 } from './1795891100000-Executions';
import { JobDailyStats1795891200000 } from './1795891200000-JobDailyStats';
import { DefaultJobSeeds1795891300000 } from './1795891300000-DefaultJobSeeds';
import { JobListIndexes1795891400000 } from './1795891400000-JobListIndexes';
import { JobCounts1795891500000 } from './1795891500000-JobCounts';
import { RunsFinishedAtCovering1795891600000 } from './1795891600000-RunsFinishedAtCovering';
import { Secrets1795891700000 } from './1795891700000-Secrets';
import { AuthHardening1795891800000 } from './1795891800000-AuthHardening';
import { UserIsActive1795891900000 } from './1795891900000-UserIsActive';
import { UsersChangedNotify1795892000000 } from './1795892000000-UsersChangedNotify';
import { OverviewAggregates1795892100000 } from './1795892100000-OverviewAggregates';
import { RunLogs1795892200000 } from './1795892200000-RunLogs';
import { Notifications1795892300000 } from './1795892300000-Notifications';
import { JobTagsAndPauseReason1795892400000 } from './1795892400000-JobTagsAndPauseReason';
import { BackfillTrigger1795892500000 } from './1795892500000-BackfillTrigger';
import { SchedulePolicies1795892600000 } from './1795892600000-SchedulePolicies';
import { JobCountsChanges1795892700000 } from './1795892700000-JobCountsChanges';

/** Every migration in order; imported explicitly so the same list works in ts-jest and dist. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [
  Initial1795890124886,
  AuthAudit1795890503295,
  UserActivityDigests1795891000000,
  Executions1795891100000,
  JobDailyStats1795891200000,
  DefaultJobSeeds1795891300000,
  JobListIndexes1795891400000,
  JobCounts1795891500000,
  RunsFinishedAtCovering1795891600000,
  Secrets1795891700000,
  AuthHardening1795891800000,
  UserIsActive1795891900000,
  UsersChangedNotify1795892000000,
  OverviewAggregates1795892100000,
  RunLogs1795892200000,
  Notifications1795892300000,
  JobTagsAndPauseReason1795892400000,
  BackfillTrigger1795892500000,
  SchedulePolicies1795892600000,
  JobCountsChanges1795892700000,
];
