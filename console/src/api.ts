import { createJobsClient, errorMessage } from '../../clients/typescript/src';

const TOKEN_KEY = 'jobs-console-token';
let token: string | null = sessionStorage.getItem(TOKEN_KEY);

export function getToken(): string | null {
  return token;
}

export function setToken(value: string | null): void {
  token = value;
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** The one client of the REST API, generated from openapi.json; same origin as the console. */
export const api = createJobsClient(window.location.origin, getToken);

/**
 * openapi-fetch answers `{data, error}`; TanStack Query wants a throw. The thrown Error carries
 * the API's message, which the control that caused it shows.
 */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) {
    if (response.status === 401 && getToken()) onUnauthorized?.();
    throw new ApiRequestError(errorMessage(error ?? `${response.status} ${response.statusText}`), response.status);
  }
  return data as T;
}

export class ApiRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

let onUnauthorized: (() => void) | undefined;
/** Called when the API refuses the token (expired, revoked): the console signs out. */
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}
