import * as dns from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { abortError } from './abort';
import type { HttpHostPolicy } from './http-host-policy';

/** The most of an answer's body read; the rest is not waited for. */
const READ_LIMIT = 64 * 1024;

export interface GuardedRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string;
  policy: HttpHostPolicy;
  /** Aborting it ends the request at once, whether it waits for a connection, the headers or the body. */
  signal: AbortSignal;
}

export interface GuardedResponse {
  status: number;
  /** The start of the body (at most READ_LIMIT bytes, decoded as UTF-8). */
  body: string;
}

/**
 * One HTTP request that reaches only hosts `policy` allows: a literal address is checked
 * before anything is sent, a name is resolved once and each address is checked right before
 * the connection is made to that very address (so a second DNS answer cannot slip another
 * address in). No connection is reused, no redirect followed, no proxy used.
 */
export function guardedRequest(req: GuardedRequest): Promise<GuardedResponse> {
  const what = `${req.method} ${req.url.href}`;
  const refusal = req.policy.refusalOfHost(req.url.hostname);
  if (refusal) return Promise.reject(new Error(`${what} refused: ${refusal}; nothing was sent`));
  return new Promise<GuardedResponse>((resolve, reject) => {
    let request: http.ClientRequest | undefined;
    const onAbort = () => {
      const error = abortError(req.signal);
      request?.destroy(error);
      reject(error);
    };
    const settled = () => req.signal.removeEventListener('abort', onAbort);
    const fail = (error: unknown) => {
      settled();
      reject(new Error(`${what} failed: ${error instanceof Error ? error.message : String(error)}`));
    };
    if (req.signal.aborted) return onAbort();
    req.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const client = req.url.protocol === 'https:' ? https : http;
      const options = {
        method: req.method,
        headers: withLength(req.headers, req.body),
        agent: false,
        lookup: guardedLookup(req.policy, req.url.hostname),
      };
      request = client.request(req.url, options, (response) => {
        readStart(response).then((body) => {
          settled();
          resolve({ status: response.statusCode ?? 0, body });
        }, fail);
      });
    } catch (error) {
      return fail(error);
    }
    request.on('error', fail);
    request.end(req.body);
  });
}

function withLength(headers: Record<string, string>, body: string | undefined): Record<string, string> {
  if (body === undefined || Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) return headers;
  return { ...headers, 'content-length': String(Buffer.byteLength(body)) };
}

/** Resolves every address of `host`, and refuses them all when any one is refused. */
function guardedLookup(policy: HttpHostPolicy, host: string): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const refused = addresses.map((a) => policy.refusalOfAddress(host, a.address)).find((r) => r !== null);
      if (refused) return callback(new Error(`refused: ${refused}; nothing was sent`), '', 0);
      if (addresses.length === 0) return callback(new Error(`${hostname} has no address`), '', 0);
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/** The start of a response body, decoded; rejects when the server ends it early. */
function readStart(response: http.IncomingMessage): Promise<string> {
  const encoding = String(response.headers['content-encoding'] ?? '').toLowerCase();
  const decoder = {
    gzip: zlib.createGunzip,
    'x-gzip': zlib.createGunzip,
    deflate: zlib.createInflate,
    br: zlib.createBrotliDecompress,
  }[encoding];
  const stream: Readable = decoder ? response.pipe(decoder()) : response;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = () => {
      response.destroy();
      resolve(Buffer.concat(chunks).subarray(0, READ_LIMIT).toString('utf8'));
    };
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= READ_LIMIT) finish();
    });
    stream.on('end', finish);
    const early = () =>
      reject(new Error(`the connection closed after ${response.statusCode} before the whole answer arrived`));
    stream.on('error', (error) => (response.complete ? reject(error) : early()));
    response.on('aborted', early);
    if (decoder) response.on('error', early);
  });
}
