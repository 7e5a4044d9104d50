import { json, type RequestHandler } from 'express';
import { refuseDeepJson } from './json-depth';

/** The JSON body limit of every route not listed below (a job with its config and kwargs). */
export const DEFAULT_BODY_LIMIT = 1_048_576;
/** Routes whose bodies are a few short fields (credentials, a schedule to preview): anything larger is an attack. */
export const SMALL_BODY_LIMIT = 4096;
/** Under the API prefix: every auth and user route, and validate-schedule. */
export const SMALL_BODY_PATHS = ['auth', 'users', 'jobs/validate-schedule'];

const jsonParser = (limit: number): RequestHandler => json({ limit, verify: refuseDeepJson });

/**
 * The JSON parser of the small-body routes. Mounted before the general one, which then sees
 * the body as already parsed; an oversized body is refused from its Content-Length (413)
 * before it is read.
 */
export function smallBodyParser(prefix: string): { paths: string[]; parser: RequestHandler } {
  return { paths: SMALL_BODY_PATHS.map((path) => `/${prefix}/${path}`), parser: jsonParser(SMALL_BODY_LIMIT) };
}
