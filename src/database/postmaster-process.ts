import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/** What `postmaster.pid` says: the first line is the pid, the fourth the port, the eighth the status. */
export interface PidFile {
  pid: number;
  port: number;
  /** `ready` once the server accepts connections (PostgreSQL 10+), `starting`, `stopping`… */
  status: string;
}

export async function readPidFile(pgDir: string): Promise<PidFile | null> {
  let content: string;
  try {
    content = await fs.readFile(path.join(pgDir, 'postmaster.pid'), 'utf8');
  } catch {
    return null;
  }
  const lines = content.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return null;
  return { pid, port, status: (lines[7] ?? '').trim() };
}

/**
 * Whether `pid` is a running process. A zombie is not: a SIGKILLed postmaster whose parent
 * has not reaped it yet (e.g. Node as PID 1 in a container) still answers `kill(pid, 0)`.
 */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S …": the state follows the last ')'
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return process.platform !== 'linux';
  }
}

/**
 * Pids of the live processes whose working directory is `dir`: every PostgreSQL process
 * (postmaster and backends) runs in its data directory. null where /proc is not available.
 */
export async function processesIn(dir: string): Promise<number[] | null> {
  let real: string;
  let entries: string[];
  try {
    real = await fs.realpath(dir);
    entries = await fs.readdir('/proc');
  } catch {
    return null;
  }
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const cwd = await fs.readlink(`/proc/${entry}/cwd`).catch(() => undefined);
    if (cwd === real) pids.push(Number(entry));
  }
  return pids;
}

/** Resolves true once `pid` has exited (or is a zombie), false after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
