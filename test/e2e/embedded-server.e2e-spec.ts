import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ServiceProcess, isAlive } from '../support/service-process';
import { eventually } from '../support/webhook-server';
import { freePort } from '../../src/common/net';

function postmaster(dataDir: string): { pid: number; alive: boolean } | null {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    try {
      process.kill(pid, 0);
      return { pid, alive: true };
    } catch {
      return { pid, alive: false };
    }
  } catch {
    return null;
  }
}

/** `npm start` as a newcomer runs it: no DATABASE_URL, an embedded PostgreSQL under DATA_DIR. */
describe('Embedded mode (node dist/src/main.js with no database configured)', () => {
  let dataDir: string;
  let port: number;
  const processes: ServiceProcess[] = [];

  const env = () => ({
    DATA_DIR: dataDir,
    PORT: String(port),
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: 'embedded-admin-pw',
  });
  const api = (p: string, init: RequestInit = {}, token?: string) =>
    fetch(`http://127.0.0.1:${port}${p}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
  const login = async () => {
    const res = await api('/api/v1/auth/login', {
      method: 'POST',
      body: JSON.stringify({ username: 'admin', password: 'embedded-admin-pw' }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobs-embedded-'));
    fs.chmodSync(dataDir, 0o755);
    port = await freePort();
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    const pm = postmaster(dataDir);
    if (pm?.alive) process.kill(pm.pid, 'SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the API and Swagger, keeps data across a restart, and stops its PostgreSQL on shutdown', async () => {
    const first = await new ServiceProcess('first', env()).start(60_000);
    processes.push(first);
    expect((await api('/docs-json')).status).toBe(200);
    const token = await login();
    const created = await api(
      '/api/v1/jobs/',
      {
        method: 'POST',
        body: JSON.stringify({
          name: 'survivor',
          title: 'Survives restarts',
          job_type: 'custom',
          schedule_type: 'daily',
          schedule_expression: '02:00',
          task_name: 'http.request',
          task_kwargs: { url: 'http://127.0.0.1:9/' },
        }),
      },
      token,
    );
    expect(created.status).toBe(201);
    expect(first.output).toMatch(/Swagger UI: http:\/\/localhost:\d+\/docs/);

    await first.stop();
    expect(postmaster(dataDir)?.alive ?? false).toBe(false);
    // The shutdown's last line reaches the log although Nest ends the process with the signal
    // (read from the pipe, which may still hold it when the exit is reported).
    await eventually(
      'the last line is read',
      async () => first.output.includes('Embedded PostgreSQL stopped'),
      5000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; the log ends:\n${first.output.slice(-2000)}`);
    });

    const second = await new ServiceProcess('second', env()).start(60_000);
    processes.push(second);
    const list = await api('/api/v1/jobs/?search=survivor', {}, await login());
    expect(((await list.json()) as { items: { name: string }[] }).items.map((j) => j.name)).toEqual(['survivor']);
    const jobs = (await (await api('/api/v1/jobs/?size=100', {}, await login())).json()) as { total: number };
    expect(jobs.total).toBe(6);
    await second.stop();
  }, 120_000);

  it('with WORKER_PROCESSES=2 its worker child attaches to the same PostgreSQL, executes runs and stops with it; the PostgreSQL stops last', async () => {
    const server = await new ServiceProcess('parent', { ...env(), WORKER_PROCESSES: '2' }).start(60_000);
    processes.push(server);
    let child: number | undefined;
    for (let i = 0; i < 100 && !child; i++) {
      child = server.workerChildren()[0];
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(child).toBeDefined();
    expect(server.output).toMatch(/Using the embedded PostgreSQL another process of this service runs/);
    const token = await login();
    const created = await api(
      '/api/v1/jobs/',
      {
        method: 'POST',
        body: JSON.stringify({
          name: 'every_second_children',
          title: 'Every second, in both processes',
          job_type: 'custom',
          schedule_type: 'cron',
          schedule_expression: '* * * * * *',
          overlap_policy: 'allow',
          // Nothing listens there: each run fails at once, executed all the same (its worker recorded).
          task_name: 'http.request',
          task_kwargs: { url: 'http://127.0.0.1:9/' },
          max_retries: 0,
        }),
      },
      token,
    );
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };
    const workers = new Set<string>();
    for (let i = 0; i < 200 && !workers.has(`:${child}`); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const page = (await (await api(`/api/v1/jobs/${id}/executions?size=100`, {}, token)).json()) as {
        items: { worker: string | null }[];
      };
      for (const run of page.items) if (run.worker) workers.add(run.worker.slice(run.worker.lastIndexOf(':')));
    }
    expect(workers).toContain(`:${child}`);

    expect([0, 128]).toContain(await server.stop());
    expect(isAlive(child!)).toBe(false);
    expect(postmaster(dataDir)?.alive ?? false).toBe(false);
  }, 120_000);

  it('adopts the PostgreSQL a killed process left behind, and never starts a second one on the directory', async () => {
    const victim = await new ServiceProcess('victim', env()).start(60_000);
    processes.push(victim);
    const before = postmaster(dataDir)!;
    expect(before.alive).toBe(true);
    await victim.kill();
    expect(postmaster(dataDir)).toEqual(before);

    const heir = await new ServiceProcess('heir', env()).start(60_000);
    processes.push(heir);
    expect(postmaster(dataDir)).toEqual(before);
    expect((await api('/api/v1/jobs/?size=1', {}, await login())).status).toBe(200);
    await heir.stop();
    expect(postmaster(dataDir)?.alive ?? false).toBe(false);
  }, 120_000);

  it('starts one PostgreSQL when two processes start together on a fresh directory whose parents do not exist yet', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'jobs-embedded-twin-'));
    fs.chmodSync(root, 0o755);
    // Created by the product: parents with the default mode (the postgres user must traverse them), DATA_DIR 0700.
    const fresh = path.join(root, 'new', 'data');
    const ports = [await freePort(), await freePort()];
    const twins = ports.map(
      (p, i) =>
        new ServiceProcess(`twin${i}`, {
          DATA_DIR: fresh,
          PORT: String(p),
          ADMIN_USERNAME: 'admin',
          ADMIN_PASSWORD: 'embedded-admin-pw',
        }),
    );
    try {
      await Promise.all(twins.map((t) => t.start(60_000)));
      const pm = postmaster(fresh)!;
      expect(pm.alive).toBe(true);
      for (const p of ports) expect((await fetch(`http://127.0.0.1:${p}/docs-json`)).status).toBe(200);
      const starts = twins.map((t) => (t.output.match(/Starting embedded PostgreSQL/g) ?? []).length);
      expect(starts.sort()).toEqual([0, 1]);
    } finally {
      await Promise.all(twins.map((t) => t.stop()));
      const pm = postmaster(fresh);
      if (pm?.alive) process.kill(pm.pid, 'SIGTERM');
      fs.rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses to start when PORT is taken, naming the port and the variable, before starting any PostgreSQL (issue 21)', async () => {
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'jobs-embedded-port-'));
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '0.0.0.0', resolve));
    const takenPort = (taken.address() as net.AddressInfo).port;
    try {
      const started = Date.now();
      const blocked = new ServiceProcess('blocked', {
        DATA_DIR: fresh,
        PORT: String(takenPort),
        ADMIN_USERNAME: 'admin',
        ADMIN_PASSWORD: 'Embedded-admin-pw-9341',
      });
      await expect(blocked.start(30_000)).rejects.toThrow(
        new RegExp(`exited with 1[\\s\\S]*Port ${takenPort} is already in use: set PORT`),
      );
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(fs.existsSync(path.join(fresh, 'pg'))).toBe(false);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
      fs.rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('stops the PostgreSQL it started when the start fails after it (an address it cannot listen on) (issue 21)', async () => {
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'jobs-embedded-late-'));
    fs.chmodSync(fresh, 0o755);
    try {
      // A worker-only process carries on when PORT is taken, but not when HOST is no address of this machine.
      const late = new ServiceProcess('late', {
        DATA_DIR: fresh,
        PORT: String(await freePort()),
        HOST: '192.0.2.1',
        ROLES: 'worker',
        ADMIN_USERNAME: 'admin',
        ADMIN_PASSWORD: 'Embedded-admin-pw-9341',
      });
      await expect(late.start(60_000)).rejects.toThrow(/exited with 1/);
      expect(late.output).toContain('Starting embedded PostgreSQL');
      expect(late.output).toMatch(/Start-up failed: Error: listen EADDRNOTAVAIL/);
      expect(late.output).toContain('Stopped the embedded PostgreSQL this process had started');
      expect(postmaster(fresh)?.alive ?? false).toBe(false);
    } finally {
      const pm = postmaster(fresh);
      if (pm?.alive) process.kill(pm.pid, 'SIGKILL');
      fs.rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('refuses to start on a bad configuration value, naming the variable', async () => {
    const bad = new ServiceProcess('bad', { ...env(), PORT: 'eighty', WORKER_CONCURRENCY: '0' });
    await expect(bad.start(20_000)).rejects.toThrow(/exited with 1[\s\S]*PORT[\s\S]*WORKER_CONCURRENCY/);
  });
});
