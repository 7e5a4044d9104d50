import { DynamicModule, Global, Module, RequestMethod } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { LoggerModule } from 'nestjs-pino';
import {
  destination as pinoDestination,
  type DestinationStream,
  type Level,
  type LogFn,
  type Logger,
  type LoggerOptions,
} from 'pino';
import { AppConfig } from '../../config/app-config';
import { LogContext } from './log-context.service';
import { LogStream, LogStreamShutdown } from './log-stream';
import { looksLikeJwt, REDACT_PATHS, REDACTED, redactHeaders, scrubText } from './redaction';

export const REQUEST_ID_HEADER = 'x-request-id';
/** An incoming request id is honoured only when it looks like one (no log injection, no JWT echoed). */
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface LoggingOptions {
  /** Where the JSON lines go (tests); default: stdout, pretty-printed when stdout is a terminal. */
  destination?: DestinationStream;
}

/**
 * Structured JSON logs (pino through nestjs-pino): one line per HTTP request with its request
 * id (an incoming `x-request-id` is honoured, else one is generated; either way it is echoed
 * in the response), `request_id` on every line logged while handling a request, `run_id` on
 * every line logged while a run executes (LogContext), LOG_LEVEL honoured, credentials
 * redacted. nestjs-pino keeps one root logger per process: the first app's options win.
 */
@Global()
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig, options: LoggingOptions = {}): DynamicModule {
    const pinoOptions = {
      level: config.logLevel as LoggerOptions['level'],
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      hooks: { logMethod: scrubArguments },
      genReqId: requestId,
      customAttributeKeys: { reqId: 'request_id' },
      quietReqLogger: true,
      customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error): Level =>
        error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      serializers: { req: serializeRequest, res: (res: { statusCode?: number }) => ({ status_code: res.statusCode }) },
    };
    const output = options.destination ?? defaultDestination(config.logLevel);
    const destination = output ? new LogStream(output) : undefined;
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: destination ? [pinoOptions, destination] : pinoOptions,
          // A wildcard Nest also mounts on the paths excluded from the global prefix: each request is logged once.
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
        }),
      ],
      providers: [LogContext, { provide: LogStreamShutdown, useValue: new LogStreamShutdown(destination ?? null) }],
      exports: [LogContext],
    };
  }
}

function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  const id =
    typeof incoming === 'string' && VALID_REQUEST_ID.test(incoming) && !looksLikeJwt(incoming)
      ? incoming
      : randomUUID();
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/**
 * The headers a request line shows (an access log's usual fields, and whether a token came):
 * not every header of every request, which costs each line its size and its redaction.
 */
const LOGGED_HEADERS = ['user-agent', 'referer', 'content-type', 'content-length', 'x-forwarded-for', 'authorization'];

function loggedHeaders(headers: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!headers) return headers;
  const picked: Record<string, unknown> = {};
  for (const name of LOGGED_HEADERS) if (headers[name] !== undefined) picked[name] = headers[name];
  return redactHeaders(picked);
}

/** What a request line shows of the request: no body, no query secrets, no credential in any header. */
function serializeRequest(req: {
  id?: unknown;
  method?: string;
  url?: string;
  headers?: Record<string, unknown>;
  remoteAddress?: string;
}) {
  return {
    id: req.id,
    method: req.method,
    url: req.url ? scrubText(req.url) : req.url,
    headers: loggedHeaders(req.headers),
    remote_address: req.remoteAddress,
  };
}

/**
 * Scrubs tokens and passwords out of message strings, also a message given as an object's `msg`
 * (other object fields are handled by `redact`).
 */
function scrubArguments(this: Logger, args: Parameters<LogFn>, method: LogFn): void {
  method.apply(this, args.map(scrubArgument) as Parameters<LogFn>);
}

function scrubArgument(arg: unknown): unknown {
  if (typeof arg === 'string') return scrubText(arg);
  if (arg !== null && typeof arg === 'object' && typeof (arg as { msg?: unknown }).msg === 'string')
    return { ...arg, msg: scrubText((arg as { msg: string }).msg) };
  return arg;
}

/**
 * stdout: pino-pretty (in this process, no worker thread) on a terminal; otherwise JSON lines
 * written asynchronously, so a request never waits on stdout and the lines logged while a
 * write is in flight go out together in one write. pino flushes what is left when the process
 * exits; a SIGKILL loses at most the lines of that one write.
 */
function defaultDestination(level: string): DestinationStream | undefined {
  if (level === 'silent') return undefined;
  if (!process.stdout.isTTY) return pinoDestination({ dest: 1, sync: false });
  const pretty = require('pino-pretty') as (options: Record<string, unknown>) => DestinationStream;
  return pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: false });
}
