import { z } from 'zod';
import { AppConfig } from '../../../config/app-config';
import { guardedRequest } from '../guarded-http-request';
import { HttpHostPolicy } from '../http-host-policy';
import { TaskHandler } from '../task-handler.decorator';
import { httpUrl, timeoutSeconds } from '../task-kwargs';
import type { TaskContext, TaskHandlerInstance } from '../task.types';

const BODY_LIMIT = 2000;
export const HTTP_TASK_DEFAULT_TIMEOUT_SECONDS = 30;

const kwargs = z
  .object({
    url: httpUrl().describe(
      'Where to send the request (HTTP_TASK_ALLOWED_HOSTS / HTTP_TASK_DENIED_HOSTS decide which hosts it may reach)',
    ),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('POST'),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.unknown().optional().describe('Sent as JSON'),
    timeout_seconds: timeoutSeconds(HTTP_TASK_DEFAULT_TIMEOUT_SECONDS),
  })
  .strict();

export interface HttpRequestResult {
  status_code: number;
  body: string;
}

/**
 * Headers every call carries, so that a receiver can tell which run and fire time it is for:
 * `X-Jobs-Run-Id`, `X-Jobs-Job-Id`, `X-Jobs-Attempt`, `X-Jobs-Scheduled-For` (the fire time,
 * ISO 8601), and `Idempotency-Key` (job id and fire time: the same for every attempt of one
 * fire time, so a receiver can drop a repeat). The job's own `headers` win on a clash.
 */
export function runHeaders(ctx: TaskContext): Record<string, string> {
  const firedAt = ctx.scheduledFor.toISOString();
  return {
    'x-jobs-run-id': String(ctx.runId),
    'x-jobs-job-id': String(ctx.jobId),
    'x-jobs-attempt': String(ctx.attempt),
    'x-jobs-scheduled-for': firedAt,
    'idempotency-key': `job-${ctx.jobId}-${firedAt}`,
  };
}

/**
 * The built-in webhook task: a 2xx answer succeeds, anything else fails the run. The whole
 * exchange (connection, headers and body) must end within timeout_seconds.
 */
@TaskHandler('http.request', { description: 'Send an HTTP request (a webhook); a 2xx answer succeeds', kwargs })
export class HttpRequestTask implements TaskHandlerInstance {
  private readonly policy: HttpHostPolicy;

  constructor(config: AppConfig) {
    this.policy = new HttpHostPolicy(config.httpTaskAllowedHosts, config.httpTaskDeniedHosts);
  }

  /** A URL whose host is a denied address or name is refused when the job is saved (and at every run). */
  checkKwargs(valid: Record<string, unknown>): string[] {
    if (!URL.canParse(String(valid.url))) return []; // a secret reference: checked when the run resolves it
    const refusal = this.policy.refusalOfHost(new URL(String(valid.url)).hostname);
    return refusal ? [`task_kwargs.url: ${refusal}`] : [];
  }

  async run(raw: Record<string, unknown>, ctx: TaskContext): Promise<HttpRequestResult> {
    const input = kwargs.parse(raw);
    const what = `${input.method} ${input.url}`;
    const deadline = new AbortController();
    const timer = setTimeout(
      () =>
        deadline.abort(new Error(`${what}: no complete answer within ${input.timeout_seconds} s (timeout_seconds)`)),
      input.timeout_seconds * 1000,
    );
    const hasBody = input.body !== undefined && input.method !== 'GET' && input.method !== 'HEAD';
    const request = { method: input.method, url: input.url };
    ctx.logger.debug(`${what}: sending`, request);
    const started = performance.now();
    try {
      const response = await guardedRequest({
        url: new URL(input.url),
        method: input.method,
        headers: {
          ...runHeaders(ctx),
          ...(hasBody ? { 'content-type': 'application/json' } : {}),
          ...lowerCaseKeys(input.headers),
        },
        body: hasBody ? JSON.stringify(input.body) : undefined,
        policy: this.policy,
        signal: AbortSignal.any([ctx.signal, deadline.signal]),
      });
      const body = response.body.slice(0, BODY_LIMIT);
      const ms = Math.round(performance.now() - started);
      const answered = `${what} answered HTTP ${response.status} in ${ms} ms`;
      const fields = { ...request, status: response.status, duration_ms: ms };
      if (response.status < 200 || response.status > 299) {
        ctx.logger.warn(answered, fields);
        throw new Error(`${answered}: ${body.slice(0, 500)}`);
      }
      ctx.logger.log(answered, fields);
      return { status_code: response.status, body };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Header names are case-insensitive: the job's `X-Jobs-Run-Id` replaces ours rather than joining it. */
function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
