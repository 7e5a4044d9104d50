import { useQuery } from '@tanstack/react-query';
import type { Job } from '../../../../clients/typescript/src';
import { api, unwrap } from '../../api';

type Schedule = Pick<Job, 'schedule_type' | 'schedule_expression' | 'timezone'>;

/** POST /jobs/validate-schedule: the schedule in words and its next fire times. */
export function useSchedulePreview(schedule: Schedule, count = 5, enabled = true) {
  return useQuery({
    queryKey: ['validate-schedule', schedule.schedule_type, schedule.schedule_expression, schedule.timezone, count],
    queryFn: () =>
      unwrap(
        api.POST('/api/v1/jobs/validate-schedule', {
          body: {
            schedule_type: schedule.schedule_type,
            schedule_expression: schedule.schedule_expression,
            timezone: schedule.timezone || 'UTC',
            count,
          },
        }),
      ),
    enabled: enabled && schedule.schedule_expression.trim() !== '',
    staleTime: 60_000,
  });
}

/** The schedule in the API's words (falls back to the expression itself). */
export function ScheduleText({ job }: { job: Schedule }) {
  const preview = useSchedulePreview(job, 1);
  const data = preview.data;
  const words = data && 'description' in data && data.valid ? data.description : undefined;
  return (
    <span title={`${job.schedule_type} ${job.schedule_expression} (${job.timezone})`}>
      {words ?? `${job.schedule_type} ${job.schedule_expression}`}
    </span>
  );
}
