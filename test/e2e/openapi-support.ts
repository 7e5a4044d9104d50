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

/** The parts of an operation the tests read; the app's document has responses and bodies inline. */
export interface OpenApiOperation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  responses?: Record<
    string,
    { description?: string; content?: Record<string, { schema?: { $ref?: string }; example?: unknown }> }
  >;
  security?: Record<string, string[]>[];
  requestBody?: unknown;
  parameters?: unknown[];
}

/** A component schema's property, as far as the tests read it. */
export interface OpenApiProperty {
  type?: string;
  description?: string;
  example?: unknown;
  enum?: unknown[];
  properties?: Record<string, unknown>;
  additionalProperties?: unknown;
}

export interface OpenApiDocument {
  info: { title: string; version: string };
  tags?: { name: string; description?: string }[];
  paths: Record<string, Partial<Record<'get' | 'post' | 'put' | 'patch' | 'delete', OpenApiOperation>>>;
  components: {
    securitySchemes: Record<string, Record<string, unknown>>;
    schemas: Record<string, { properties?: Record<string, OpenApiProperty> }>;
  };
}

/** The OpenAPI document of the BUILT app (the swagger CLI plugin only runs under `nest build`). */
export async function builtOpenApiDocument(): Promise<OpenApiDocument> {
  const result = await run(process.execPath, [path.join(ROOT, 'scripts', 'openapi.js'), '--stdout']);
  if (result.code !== 0)
    throw new Error(`scripts/openapi.js failed (is dist/ built? npm run build):\n${result.stderr}`);
  return JSON.parse(result.stdout) as OpenApiDocument;
}
