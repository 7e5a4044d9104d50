import { z } from 'zod';
import { TaskHandler } from '../task-handler.decorator';
import { httpUrl, timeoutSeconds } from '../task-kwargs';
import type { TaskContext, TaskHandlerInstance } from '../task.types';

const BODY_LIMIT = 2000;

const kwargs = z
  .object({
    url: httpUrl().describe('Where to send the request'),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('POST'),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.unknown().optional().describe('Sent as JSON'),
    timeout_seconds: timeoutSeconds,
  })
  .strict();

export interface HttpRequestResult {
  status_code: number;
  body: string;
}

/** The built-in webhook task: a 2xx answer succeeds, anything else fails the run. */
@TaskHandler('http.request', { description: 'Send an HTTP request (a webhook); a 2xx answer succeeds', kwargs })
export class HttpRequestTask implements TaskHandlerInstance {
  async run(raw: Record<string, unknown>, ctx: TaskContext): Promise<HttpRequestResult> {
    const input = kwargs.parse(raw);
    const signal = input.timeout_seconds ? AbortSignal.any([ctx.signal, AbortSignal.timeout(input.timeout_seconds * 1000)]) : ctx.signal;
    const hasBody = input.body !== undefined && input.method !== 'GET' && input.method !== 'HEAD';
    const headers: Record<string, string> = { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...input.headers };
    const response = await fetch(input.url, {
      method: input.method,
      headers,
      body: hasBody ? JSON.stringify(input.body) : undefined,
      signal,
      redirect: 'manual',
    });
    const body = (await response.text()).slice(0, BODY_LIMIT);
    if (response.status < 200 || response.status > 299) {
      throw new Error(`${input.method} ${input.url} answered HTTP ${response.status}: ${body.slice(0, 500)}`);
    }
    ctx.logger.log(`${input.method} ${input.url} answered HTTP ${response.status}`);
    return { status_code: response.status, body };
  }
}
