import { MetricsService, type ScrapeSources } from '../../../src/modules/metrics/metrics.service';

/** Sources whose job-type lookup is counted (the hot path should not need it). */
function sources(): ScrapeSources & { lookups: number[] } {
  const lookups: number[] = [];
  const source: ScrapeSources & { lookups: number[] } = {
    lookups,
    queueDepths: () => Promise.resolve({}),
    overdueJobs: () => Promise.resolve(0),
    jobTypeOf: (jobId: number) => {
      lookups.push(jobId);
      return Promise.resolve('looked_up');
    },
  };
  return source;
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('MetricsService run events', () => {
  let metrics: MetricsService;
  let source: ReturnType<typeof sources>;

  beforeEach(() => {
    metrics = new MetricsService();
    source = sources();
    metrics.setSources(source);
  });
  afterEach(() => metrics.onModuleDestroy());

  it('counts an outcome under the job type the event carries, without a lookup', async () => {
    metrics.runFinished({ jobId: 7, jobType: 'custom', status: 'succeeded', durationSeconds: 0.5 });
    metrics.runsSkipped([
      { jobId: 8, jobType: 'document_cleanup' },
      { jobId: 8, jobType: 'document_cleanup' },
    ]);
    await flush();
    const text = (await metrics.scrape()).body;
    expect(text).toMatch(/^jobs_runs_total\{job_type="custom",outcome="succeeded"\} 1$/m);
    expect(text).toMatch(/^jobs_runs_total\{job_type="document_cleanup",outcome="skipped"\} 2$/m);
    expect(source.lookups).toEqual([]);
  });

  it('looks the type up for an event without one', async () => {
    metrics.runFinished({ jobId: 9, status: 'failed', durationSeconds: 1 });
    await flush();
    expect(source.lookups).toEqual([9]);
    expect((await metrics.scrape()).body).toMatch(/^jobs_runs_total\{job_type="looked_up",outcome="failed"\} 1$/m);
  });

  it('observes the dispatch lag of first attempts, but not of backfill runs (their fire times are long past)', async () => {
    const dayAgo = new Date(Date.now() - 86_400_000);
    metrics.runStarted({ jobId: 1, taskQueue: 'q', attempt: 1, trigger: 'schedule', scheduledFor: new Date() });
    metrics.runStarted({ jobId: 1, taskQueue: 'q', attempt: 1, trigger: 'backfill', scheduledFor: dayAgo });
    metrics.runStarted({ jobId: 1, taskQueue: 'q', attempt: 2, trigger: 'retry', scheduledFor: dayAgo });
    const text = (await metrics.scrape()).body;
    expect(text).toMatch(/^jobs_dispatch_lag_seconds_count\{queue="q"\} 1$/m);
    expect(text).toMatch(/^jobs_dispatch_lag_seconds_bucket\{le="1",queue="q"\} 1$/m);
  });
});
