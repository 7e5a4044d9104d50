import type { JobType } from './job.entity';
import type { ScheduleType } from '../schedules/schedule.types';

export interface DefaultJobDefinition {
  name: string;
  title: string;
  description: string;
  job_type: JobType;
  schedule_type: ScheduleType;
  schedule_expression: string;
  task_name: string;
  is_enabled: boolean;
}

/** The SPEC's default jobs; each runs the handler named after its job type. */
export const DEFAULT_JOBS: readonly DefaultJobDefinition[] = [
  {
    name: 'system_health_check',
    title: 'System health check',
    description: 'Checks the database, queue, workers, disk and memory; alerts ALERT_WEBHOOK_URL when unhealthy',
    job_type: 'system_health_check',
    schedule_type: 'interval',
    schedule_expression: '15',
    task_name: 'system_health_check',
    is_enabled: true,
  },
  {
    name: 'document_cleanup',
    title: 'Document cleanup',
    description: 'Deletes old files under DOCUMENTS_DIR',
    job_type: 'document_cleanup',
    schedule_type: 'daily',
    schedule_expression: '02:00',
    task_name: 'document_cleanup',
    is_enabled: true,
  },
  {
    name: 'analytics_aggregation',
    title: 'Analytics aggregation',
    description: 'Rolls run statistics up per job and day',
    job_type: 'analytics_aggregation',
    schedule_type: 'daily',
    schedule_expression: '01:00',
    task_name: 'analytics_aggregation',
    is_enabled: true,
  },
  {
    name: 'database_maintenance',
    title: 'Database maintenance',
    description: 'Prunes runs older than RUN_RETENTION_DAYS and vacuums the service tables',
    job_type: 'database_maintenance',
    schedule_type: 'weekly',
    schedule_expression: '0:03:00',
    task_name: 'database_maintenance',
    is_enabled: false,
  },
  {
    name: 'mcp_server_health_check',
    title: 'MCP server health check',
    description: 'Checks the MCP servers in MCP_SERVERS over the MCP protocol',
    job_type: 'mcp_server_health_check',
    schedule_type: 'interval',
    schedule_expression: '30',
    task_name: 'mcp_server_health_check',
    is_enabled: true,
  },
];
