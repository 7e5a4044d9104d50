import { spawn } from 'node:child_process';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');

/** Runs a command without blocking the event loop (an in-process server may have to answer it). */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The OpenAPI document of the BUILT app (the swagger CLI plugin only runs under `nest build`). */
export async function builtOpenApiDocument(): Promise<Record<string, any>> {
  const result = await run(process.execPath, [path.join(ROOT, 'scripts', 'openapi.js'), '--stdout']);
  if (result.code !== 0)
    throw new Error(`scripts/openapi.js failed (is dist/ built? npm run build):\n${result.stderr}`);
  return JSON.parse(result.stdout);
}
