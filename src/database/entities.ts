import { Job } from '../modules/jobs/job.entity';

/** Every entity, listed once for the app's and the TypeORM CLI's data source. */
export const ENTITIES = [Job];
