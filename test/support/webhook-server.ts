import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  at: number;
  /** The client went away before the answer (an aborted task). */
  aborted: boolean;
}

/**
 * A real HTTP server on loopback for the `http.request` task to call:
 * `/ok` → 200, `/fail` → 500, `/slow/<ms>` → 200 after that many milliseconds; `/echo` (200) and
 * `/fail-echo` (500) answer with the request's headers and body.
 */
export class WebhookServer {
  readonly received: ReceivedRequest[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  hits(path: string): ReceivedRequest[] {
    return this.received.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private async handle(req: IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString();
    const entry: ReceivedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      body: text ? safeJson(text) : null,
      headers: req.headers,
      at: Date.now(),
      aborted: false,
    };
    this.received.push(entry);
    res.on('close', () => {
      if (!res.writableFinished) entry.aborted = true;
    });
    const slow = /^\/slow\/(\d+)/.exec(entry.path);
    if (slow) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Number(slow[1]));
        res.on('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (res.destroyed) return;
    const status = entry.path.startsWith('/fail') ? 500 : 200;
    res.writeHead(status, { 'content-type': 'application/json' });
    const echo = /^\/(fail-)?echo/.test(entry.path) ? { headers: entry.headers, body: entry.body } : {};
    res.end(JSON.stringify({ ok: status === 200, path: entry.path, ...echo }));
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Polls until `check` returns a truthy value or the time runs out (then throws with `what`). */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 15000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`Timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
