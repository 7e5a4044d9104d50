import { AppConfig } from '../../../src/config/app-config';
import { SystemHealthCheckTask } from '../../../src/modules/tasks/handlers/system-health-check.task';
import type { QueueHealthProbe, QueueHealthReport } from '../../../src/modules/tasks/queue-health';
import type { ServiceTables } from '../../../src/database/service-tables';
import { taskContext } from '../../support/tasks-fixtures';

const config = AppConfig.from({}, { DATA_DIR: '/tmp/does-not-exist/for/sure' });
const healthyDb = { ping: () => Promise.resolve(3) } as unknown as ServiceTables;
const lenient = { min_free_disk_percent: 0, min_free_memory_percent: 0 };

function taskWith(db: ServiceTables, probe?: QueueHealthProbe): SystemHealthCheckTask {
  const moduleRef = {
    get: () => {
      if (!probe) throw new Error('no provider');
      return probe;
    },
  };
  const task = new SystemHealthCheckTask(config, db, moduleRef as never);
  task.onModuleInit();
  return task;
}

const probe = (report: QueueHealthReport): QueueHealthProbe => ({ check: () => Promise.resolve(report) });
const run = (task: SystemHealthCheckTask, kwargs: Record<string, unknown> = lenient) => task.run(kwargs, taskContext());

describe(SystemHealthCheckTask.name, () => {
  it('reports the queue as not configured without a probe, measuring the nearest existing parent of DATA_DIR', async () => {
    const report = await run(taskWith(healthyDb));
    expect(report.queue).toEqual({ configured: false, error: 'not configured', status: 'healthy' });
    expect(report.disk.path).toBe('/tmp');
    expect(report.status).toBe('healthy');
  });

  it('is unhealthy when the database cannot be reached', async () => {
    const report = await run(
      taskWith({ ping: () => Promise.reject(new Error('connection refused')) } as unknown as ServiceTables),
    );
    expect(report.database).toEqual({
      status: 'unhealthy',
      reachable: false,
      latency_ms: null,
      error: 'connection refused',
    });
    expect(report.status).toBe('unhealthy');
  });

  it('is degraded when the database is slower than max_db_latency_ms', async () => {
    const report = await run(taskWith({ ping: () => Promise.resolve(1500) } as unknown as ServiceTables));
    expect(report.database.status).toBe('degraded');
    expect(report.status).toBe('degraded');
  });

  it('uses a registered queue probe: unreachable is unhealthy, no live workers is degraded', async () => {
    const down = await run(
      taskWith(healthyDb, probe({ configured: true, backend: 'redis', reachable: false, error: 'ECONNREFUSED' })),
    );
    expect(down.queue.status).toBe('unhealthy');
    expect(down.status).toBe('unhealthy');
    const idle = await run(
      taskWith(
        healthyDb,
        probe({ configured: true, backend: 'postgres', reachable: true, depth: { default: 4 }, live_workers: 0 }),
      ),
    );
    expect(idle.queue).toMatchObject({ status: 'degraded', depth: { default: 4 } });
    const fine = await run(
      taskWith(
        healthyDb,
        probe({ configured: true, backend: 'postgres', reachable: true, depth: { default: 0 }, live_workers: 2 }),
      ),
    );
    expect(fine.status).toBe('healthy');
  });

  it('treats a probe that throws as an unreachable queue', async () => {
    const report = await run(taskWith(healthyDb, { check: () => Promise.reject(new Error('boom')) }));
    expect(report.queue).toMatchObject({ configured: true, reachable: false, error: 'boom', status: 'unhealthy' });
  });
});
