import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call the sink received: when it arrived and the fire time it was for (`X-Jobs-Scheduled-For`). */
export interface Arrival {
  at: number;
  firedAt: number;
  runId: number;
}

export interface NoopServer {
  url: string;
  requests(): number;
  /** The calls that carried the run headers, in arrival order. */
  arrivals(): Arrival[];
  /** Forgets the arrivals so far (between rounds). */
  reset(): void;
  close(): Promise<void>;
}

/**
 * The cheap task's target: the product's `http.request` task POSTs here and gets `ok` back.
 * It is also the webhook sink of the outside view: each call's arrival time (taken when its
 * headers are read) is kept with the fire time the product sent, so arrival − fire time is
 * measured at the receiver, not from the product's own records.
 */
export async function startNoopServer(): Promise<NoopServer> {
  let count = 0;
  let arrivals: Arrival[] = [];
  const server = http.createServer((req, res) => {
    const at = Date.now();
    count++;
    const firedAt = Date.parse(String(req.headers['x-jobs-scheduled-for'] ?? ''));
    if (Number.isFinite(firedAt)) arrivals.push({ at, firedAt, runId: Number(req.headers['x-jobs-run-id']) });
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/noop`,
    requests: () => count,
    arrivals: () => arrivals,
    reset: () => {
      arrivals = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
