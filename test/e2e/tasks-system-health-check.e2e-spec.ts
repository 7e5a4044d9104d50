import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HealthReport } from '../../src/modules/tasks/handlers/system-health-check.task';
import { TaskRegistry } from '../../src/modules/tasks/task-registry.service';
import { startRecordingServer, taskContext, type LocalServer } from '../support/tasks-fixtures';
import { createTestApp, type TestApp } from '../support/test-app';

describe('system_health_check task', () => {
  let t: TestApp;
  let registry: TaskRegistry;
  let webhook: LocalServer;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasks-health-'));
    webhook = await startRecordingServer();
    t = await createTestApp('tasks_health', { DATA_DIR: dataDir, ALERT_WEBHOOK_URL: `${webhook.url}/alerts` });
    registry = t.app.get(TaskRegistry);
  });
  afterAll(async () => {
    await t.close();
    await webhook.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('reports the database, disk of DATA_DIR, memory and an overall status, and alerts nobody when healthy', async () => {
    const report = (await registry.run(
      'system_health_check',
      { min_free_disk_percent: 0, min_free_memory_percent: 0 },
      [],
      taskContext(),
    )) as HealthReport;
    expect(report).toMatchObject({
      status: expect.stringMatching(/^(healthy|degraded)$/),
      database: { status: 'healthy', reachable: true, latency_ms: expect.any(Number) },
      disk: { status: 'healthy', path: dataDir, free_bytes: expect.any(Number), total_bytes: expect.any(Number) },
      memory: { rss_bytes: expect.any(Number), system_total_bytes: os.totalmem() },
      queue: { configured: expect.any(Boolean), status: expect.stringMatching(/^(healthy|degraded)$/) },
      alert: { sent: false },
    });
    expect(webhook.received).toHaveLength(0);
  });

  it('POSTs the report to ALERT_WEBHOOK_URL when unhealthy', async () => {
    const report = (await registry.run(
      'system_health_check',
      { min_free_disk_percent: 100 },
      [],
      taskContext({ jobName: 'system_health_check', runId: 42 }),
    )) as HealthReport;
    expect(report.status).toBe('unhealthy');
    expect(report.disk.status).toBe('unhealthy');
    expect(report.alert).toEqual({ sent: true, url: `${webhook.url}/alerts`, status_code: 204 });
    expect(webhook.received).toHaveLength(1);
    const [alert] = webhook.received;
    expect(alert).toMatchObject({ method: 'POST', url: '/alerts', headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(alert.body)).toMatchObject({
      event: 'system_health_check.unhealthy',
      job: 'system_health_check',
      run_id: 42,
      report: { status: 'unhealthy', database: { reachable: true } },
    });
  });

  it('does not alert when alert is false', async () => {
    const before = webhook.received.length;
    await registry.run('system_health_check', { min_free_disk_percent: 100, alert: false }, [], taskContext());
    expect(webhook.received).toHaveLength(before);
  });
});
