import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TaskContext } from '../../src/modules/tasks/task.types';

/** A TaskContext for calling handlers directly; `logged` collects what they log. */
export function taskContext(overrides: Partial<TaskContext> = {}): TaskContext & { logged: string[] } {
  const logged: string[] = [];
  return {
    signal: new AbortController().signal,
    runId: 1,
    jobId: 1,
    jobName: 'test',
    attempt: 1,
    scheduledFor: new Date('2026-11-30T12:00:00Z'),
    logger: {
      debug: (m) => logged.push(`debug: ${m}`),
      log: (m) => logged.push(m),
      warn: (m) => logged.push(`warn: ${m}`),
      error: (m) => logged.push(`error: ${m}`),
    },
    logged,
    ...overrides,
  };
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface LocalServer {
  url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/** A loopback HTTP server that records every request and answers with `respond`. */
export async function startRecordingServer(
  respond: (req: ReceivedRequest, res: http.ServerResponse) => void = (_req, res) => void res.writeHead(204).end(),
): Promise<LocalServer> {
  const received: ReceivedRequest[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const entry = { method: req.method!, url: req.url!, headers: req.headers, body };
      received.push(entry);
      respond(entry, res);
    });
  });
  return listen(server, received);
}

export async function listen(server: http.Server, received: ReceivedRequest[] = []): Promise<LocalServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
