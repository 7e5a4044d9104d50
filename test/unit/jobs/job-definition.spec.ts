import { getMetadataStorage } from 'class-validator';
import { CreateJobDto } from '../../../src/modules/jobs/dto/create-job.dto';
import {
  RUNTIME_FIELDS,
  definitionChanges,
  definitionOf,
  withDefaults,
} from '../../../src/modules/jobs/job-definition';
import type { TaskRegistry } from '../../../src/modules/tasks/task-registry.service';
import {
  FakeAuditService,
  FakeDataSource,
  FakeJobsRepository,
  makeJob,
  realJobsService,
  superuserActor,
} from '../support/fakes';

/** Every property of CreateJobDto, as class-validator's metadata lists them (each carries a rule). */
function createJobDtoProperties(): string[] {
  const rules = getMetadataStorage().getTargetValidationMetadatas(CreateJobDto, '', true, false);
  return [...new Set(rules.map((rule) => rule.propertyName))].sort();
}

/** Only the fields create requires: everything else takes its default. */
const MINIMAL = {
  name: 'minimal',
  title: 'Minimal',
  job_type: 'custom',
  schedule_type: 'interval',
  schedule_expression: '10',
  task_name: 'demo.echo',
} as CreateJobDto;

const WITH_CREDENTIALS = makeJob({
  taskKwargs: { url: 'https://example.com/hook?token=abc', headers: { Authorization: 'Bearer s3cret' } },
  config: { api_key: 'k-123', level: 2 },
});

describe('job definitions', () => {
  describe(definitionOf.name, () => {
    it('emits every property of CreateJobDto but its runtime fields, and nothing else', () => {
      const properties = createJobDtoProperties();
      // The metadata is read for real: the required and the newest fields are there.
      expect(properties).toEqual(expect.arrayContaining(['name', 'schedule_expression', 'tags', 'notify_on']));

      const emitted = Object.keys(definitionOf(makeJob())).sort();

      expect(emitted).toEqual(properties.filter((p) => !(RUNTIME_FIELDS as readonly string[]).includes(p)));
    });

    it('leaves out ids, counters, times and pause state', () => {
      const job = makeJob({ status: 'paused', pausedReason: 'outage', pausedBy: 'root', pausedAt: new Date() });

      const definition = definitionOf(job) as unknown as Record<string, unknown>;

      for (const field of ['id', 'status', 'next_run_at', 'total_runs', 'created_at', 'updated_at', 'paused_reason'])
        expect(definition).not.toHaveProperty(field);
    });

    it('shows credentials as "***", as GET /jobs/{id} does', () => {
      expect(definitionOf(WITH_CREDENTIALS)).toMatchObject({
        task_kwargs: { url: 'https://example.com/hook?token=***', headers: { Authorization: '***' } },
        config: { api_key: '***', level: 2 },
      });
    });
  });

  describe(withDefaults.name, () => {
    it("fills in POST /jobs/'s defaults: a job created from only the required fields is its definition", async () => {
      const dataSource = new FakeDataSource();
      const jobs = new FakeJobsRepository();
      const tasks = { validateKwargs: () => ({}) } as Partial<TaskRegistry>;
      await realJobsService(dataSource, jobs, new FakeAuditService(), tasks).create(MINIMAL, superuserActor);
      const created = [...jobs.rows.values()][0];

      expect(definitionOf(created)).toEqual(withDefaults(MINIMAL));
      expect(definitionChanges(created, MINIMAL)).toBeNull();
    });
  });

  describe(definitionChanges.name, () => {
    it('finds none for a job and its own export, credentials shown as "***" included', () => {
      expect(definitionChanges(WITH_CREDENTIALS, definitionOf(WITH_CREDENTIALS))).toBeNull();
    });

    it('finds none for a definition holding the stored credentials themselves', () => {
      const definition = {
        ...definitionOf(WITH_CREDENTIALS),
        task_kwargs: WITH_CREDENTIALS.taskKwargs,
        config: WITH_CREDENTIALS.config,
      };

      expect(definitionChanges(WITH_CREDENTIALS, definition)).toBeNull();
    });

    it('changes a credential the definition gives anew, and only that field', () => {
      const kwargs = { url: 'https://example.com/hook?token=abc', headers: { Authorization: 'Bearer new' } };

      expect(definitionChanges(WITH_CREDENTIALS, { ...definitionOf(WITH_CREDENTIALS), task_kwargs: kwargs })).toEqual({
        task_kwargs: kwargs,
      });
    });

    it('changes exactly the fields that differ, and sets a field left out back to its default', () => {
      const job = makeJob({ taskPriority: 9, title: 'Old' });
      const { task_priority: _left_out, ...definition } = { ...definitionOf(job), title: 'New' };

      expect(definitionChanges(job, definition)).toEqual({ title: 'New', task_priority: 5 });
    });

    it('finds none for a time written in another form of the same instant', () => {
      const job = makeJob({ startAt: new Date('2027-01-01T00:00:00Z'), endAt: null });

      expect(definitionChanges(job, { ...definitionOf(job), start_at: '2027-01-01T01:00:00+01:00' })).toBeNull();
      expect(definitionChanges(job, { ...definitionOf(job), start_at: '2027-01-01T00:00:01Z' })).toEqual({
        start_at: '2027-01-01T00:00:01Z',
      });
      expect(definitionChanges(job, { ...definitionOf(job), end_at: '2027-02-01T00:00:00Z' })).toEqual({
        end_at: '2027-02-01T00:00:00Z',
      });
    });

    it('changes status only when the definition names it', () => {
      const paused = makeJob({ status: 'paused' });

      expect(definitionChanges(paused, definitionOf(paused))).toBeNull();
      expect(definitionChanges(paused, { ...definitionOf(paused), status: 'paused' })).toBeNull();
      expect(definitionChanges(paused, { ...definitionOf(paused), status: 'active' })).toEqual({ status: 'active' });
    });
  });
});
