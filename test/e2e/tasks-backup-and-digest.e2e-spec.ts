import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { BackupResult } from '../../src/modules/tasks/handlers/create-backup.task';
import type { UserActivityDigestResult } from '../../src/modules/tasks/handlers/user-activity-digest.task';
import { TaskRegistry } from '../../src/modules/tasks/task-registry.service';
import { jobBody } from '../factories/job.factory';
import { taskContext } from '../support/tasks-fixtures';
import { createTestApp, type TestApp } from '../support/test-app';
import { withClient } from '../support/test-database';

function readBackup(file: string): {
  header: Record<string, unknown>;
  rows: { table: string; row: Record<string, unknown> }[];
} {
  const [header, ...rows] = gunzipSync(fs.readFileSync(file))
    .toString('utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  return { header, rows };
}

describe('app.tasks.backup.create_backup and user_activity_digest tasks', () => {
  let t: TestApp;
  let registry: TaskRegistry;
  let backupDir: string;

  beforeAll(async () => {
    backupDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasks-backup-'));
    t = await createTestApp('tasks_backup', { BACKUP_DIR: backupDir });
    registry = t.app.get(TaskRegistry);
    await t.http
      .post('/api/v1/jobs/')
      .send(jobBody({ name: 'backed_up_job', task_kwargs: { url: 'http://127.0.0.1:9/hook' } }))
      .expect(201);
    await t.http
      .post('/api/v1/jobs/')
      .send(jobBody({ task_kwargs: { url: 'http://127.0.0.1:9/hook' } }))
      .expect(201);
    await withClient(t.db.url, (c) =>
      c.query(
        `INSERT INTO executions (job_id, status, trigger, scheduled_for) SELECT id, 'succeeded', 'manual', now() FROM jobs WHERE name = 'backed_up_job'`,
      ),
    );
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(backupDir, { recursive: true, force: true });
  });

  describe('app.tasks.backup.create_backup', () => {
    it('writes jobs, users without password hashes and the audit log as gzip JSON lines under BACKUP_DIR', async () => {
      const result = (await registry.run('app.tasks.backup.create_backup', {}, [], taskContext())) as BackupResult;
      expect(path.dirname(result.file)).toBe(backupDir);
      expect(path.basename(result.file)).toMatch(/^backup-\d{8}T\d{9}Z\.jsonl\.gz$/);
      // The two jobs made here and the five default jobs seeded at start-up.
      expect(result.tables.jobs.rows).toBe(7);
      expect(result.tables.users.rows).toBe(2);
      expect(result.tables.users.columns).not.toContain('password_hash');
      expect(result.tables.audit_logs.rows).toBeGreaterThan(0);
      expect(result.tables.executions.rows).toBe(1);
      expect(result.skipped_tables).toEqual([]);
      const { header, rows } = readBackup(result.file);
      expect(header).toMatchObject({ format: 'jobs-service-backup', version: 1 });
      expect(rows.filter((r) => r.table === 'jobs').map((r) => r.row.name)).toContain('backed_up_job');
      const users = rows.filter((r) => r.table === 'users');
      expect(users.map((u) => u.row.username).sort()).toEqual(['test-admin', 'test-user']);
      expect(JSON.stringify(users)).not.toMatch(/argon2|password/);
      expect(result.bytes).toBe(fs.statSync(result.file).size);
    });

    it('keeps only the newest `keep` backups', async () => {
      const made: string[] = [];
      for (let i = 0; i < 3; i++) {
        made.push(
          ((await registry.run('app.tasks.backup.create_backup', { keep: 2 }, [], taskContext())) as BackupResult).file,
        );
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const files = fs.readdirSync(backupDir).sort();
      expect(files).toEqual(made.slice(1).map((f) => path.basename(f)));
    });

    it('rejects keep below 1', () => {
      expect(() => registry.validateKwargs('app.tasks.backup.create_backup', { keep: 0 })).toThrow(/task_kwargs\.keep/);
    });

    it('leaves no partial file when aborted', async () => {
      const before = fs.readdirSync(backupDir);
      const controller = new AbortController();
      controller.abort(new Error('cancelled'));
      await expect(
        registry.run('app.tasks.backup.create_backup', {}, [], taskContext({ signal: controller.signal })),
      ).rejects.toThrow('cancelled');
      expect(fs.readdirSync(backupDir)).toEqual(before);
    });
  });

  describe('user_activity_digest', () => {
    const periodEnd = '2030-01-02T00:00:00.000Z';

    beforeAll(async () => {
      await withClient(t.db.url, (c) =>
        c.query(
          `INSERT INTO audit_logs (at, actor, action, entity_type, entity_id) VALUES
             ('2030-01-01T10:00:00Z', 'alice', 'job.create', 'job', '1'),
             ('2030-01-01T11:00:00Z', 'alice', 'job.create', 'job', '2'),
             ('2030-01-01T12:00:00Z', 'alice', 'job.delete', 'job', '2'),
             ('2030-01-01T13:00:00Z', 'bob', 'auth.login', 'user', '3'),
             ('2029-12-31T23:00:00Z', 'bob', 'auth.login', 'user', '3'),
             ('2030-01-02T00:00:00Z', 'carol', 'auth.login', 'user', '4')`,
        ),
      );
    });

    it('counts audit actions per user over the period, stores and returns them', async () => {
      const result = (await registry.run(
        'user_activity_digest',
        { period_hours: 24, period_end: periodEnd },
        [],
        taskContext(),
      )) as UserActivityDigestResult;
      expect(result).toEqual({
        period_start: '2030-01-01T00:00:00.000Z',
        period_end: periodEnd,
        audit_log_available: true,
        users: 2,
        total_actions: 4,
        digests: [
          { actor: 'alice', total: 3, actions: { 'job.create': 2, 'job.delete': 1 } },
          { actor: 'bob', total: 1, actions: { 'auth.login': 1 } },
        ],
      });
      const stored = await withClient(
        t.db.url,
        async (c) =>
          (await c.query('SELECT actor, total_actions, actions FROM user_activity_digests ORDER BY actor')).rows,
      );
      expect(stored).toEqual([
        { actor: 'alice', total_actions: 3, actions: { 'job.create': 2, 'job.delete': 1 } },
        { actor: 'bob', total_actions: 1, actions: { 'auth.login': 1 } },
      ]);
    });

    it('replaces, never duplicates, the digest of a period digested again', async () => {
      await registry.run('user_activity_digest', { period_hours: 24, period_end: periodEnd }, [], taskContext());
      const count = await withClient(t.db.url, async (c) =>
        Number((await c.query('SELECT count(*) AS n FROM user_activity_digests')).rows[0].n),
      );
      expect(count).toBe(2);
    });

    it('rejects a period_end that is not an ISO time', () => {
      expect(() => registry.validateKwargs('user_activity_digest', { period_end: 'yesterday' })).toThrow(
        /task_kwargs\.period_end/,
      );
    });
  });
});
