import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { TestApp } from './test-app';

/** The repository root, where ./manage runs. */
export const ROOT = path.resolve(__dirname, '..', '..');

export interface ManageResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real ./manage binary (no terminal: stdin is a pipe, closed at once unless `input` is given). */
export function runManage(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<ManageResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, 'manage'), args, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** Builds dist/ once if needed (as ./manage would), so that every call may skip the freshness check. */
export function buildOnce(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'ensure-build.js')], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** The environment of a ./manage on the test app's database and queues (after buildOnce). */
export function manageEnv(t: TestApp): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: t.db.url,
    QUEUE_PREFIX: t.config.queuePrefix,
    JWT_SECRET: randomBytes(32).toString('hex'),
    MANAGE_SKIP_BUILD: '1',
  };
  if (!process.env.REDIS_URL) delete env.REDIS_URL;
  return env;
}
