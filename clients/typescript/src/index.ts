import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type { components, operations, paths } from './schema';

/** Every error answer of the API: `{statusCode, error, code, message, details?}`. */
export type ApiError = components['schemas']['ErrorResponseDto'];
export type Job = components['schemas']['JobResponseDto'];
export type Run = components['schemas']['ExecutionResponseDto'];
export type RunLogLine = components['schemas']['RunLogLineDto'];
export type User = components['schemas']['UserResponseDto'];
export type Me = components['schemas']['MeResponseDto'];
export type AuditEntry = components['schemas']['AuditLogResponseDto'];
export type Channel = components['schemas']['ChannelResponseDto'];
export type JobStatsOverview = components['schemas']['JobStatsOverviewDto'];
export type CreateJob = components['schemas']['CreateJobDto'];
export type UpdateJob = components['schemas']['UpdateJobDto'];

export type JobsClient = Client<paths>;

/**
 * A typed client of the jobs service. `baseUrl` is the server's origin (the paths carry
 * `/api/v1`); `getToken` is asked before every request and its bearer token, when any, is sent.
 */
export function createJobsClient(
  baseUrl: string,
  getToken: () => string | null | undefined,
  fetchImpl?: typeof fetch,
): JobsClient {
  const client = createClient<paths>({ baseUrl, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  const bearer: Middleware = {
    onRequest({ request }) {
      const token = getToken();
      if (token) request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
  };
  client.use(bearer);
  return client;
}

/** The sentence to show for an error answer (the API's `message`, joined when it is a list). */
export function errorMessage(error: unknown): string {
  if (isApiError(error)) return Array.isArray(error.message) ? error.message.join('; ') : error.message;
  if (error instanceof Error) return error.message;
  return 'The request failed';
}

export function isApiError(value: unknown): value is ApiError {
  return typeof value === 'object' && value !== null && 'statusCode' in value && 'message' in value;
}
