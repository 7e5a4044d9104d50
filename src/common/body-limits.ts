import { json, type RequestHandler } from 'express';
import { refuseDeepJson } from './json-depth';

/** The JSON body limit of every route not listed below (a job with its config and kwargs). */
export const DEFAULT_BODY_LIMIT = 1_048_576;
/** Routes whose bodies are a few short fields (credentials, a schedule to preview): anything larger is an attack. */
export const SMALL_BODY_LIMIT = 4096;
/** Under the API prefix: every auth and user route, and validate-schedule. */
export const SMALL_BODY_PATHS = ['auth', 'users', 'jobs/validate-schedule'];
/**
 * POST /jobs/apply: up to 1,000 job definitions, which with their kwargs and descriptions can
 * outgrow one job's limit. Past the parser, only a superuser's list is converted and validated.
 */
export const APPLY_BODY_LIMIT = 4 * 1_048_576;
const APPLY_PATH = 'jobs/apply';

const jsonParser = (limit: number): RequestHandler => json({ limit, verify: refuseDeepJson });

/**
 * The JSON parsers of the routes whose limit is not the default one. Mounted before the general
 * one, which then sees the body as already parsed; an oversized body is refused from its
 * Content-Length (413) before it is read.
 */
export function routeBodyParsers(prefix: string): { paths: string[]; parser: RequestHandler }[] {
  return [
    { paths: SMALL_BODY_PATHS.map((path) => `/${prefix}/${path}`), parser: jsonParser(SMALL_BODY_LIMIT) },
    { paths: [`/${prefix}/${APPLY_PATH}`], parser: jsonParser(APPLY_BODY_LIMIT) },
  ];
}
