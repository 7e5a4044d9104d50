import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** The cheap task's target: the product's `http.request` task POSTs here and gets `ok` back. */
export async function startNoopServer(): Promise<{ url: string; requests(): number; close(): Promise<void> }> {
  let count = 0;
  const server = http.createServer((req, res) => {
    count++;
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/noop`,
    requests: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
