/**
 * Who may call each route: the authorization matrix (auth.e2e-spec.ts) reads the live route
 * table of the running app and checks every route against this table with no token, a bad
 * token, an ordinary user and a superuser. A route missing here fails that test: when you
 * add an endpoint, add its line here (and put `@Public()` or `@Superuser()` on it as needed).
 *
 * - `public`: anyone (`@Public()`), never 401/403
 * - `user`: any logged-in user; no or bad token → 401
 * - `superuser`: `@Superuser()`; no or bad token → 401, ordinary user → 403
 *
 * Keys are `METHOD path` with Express-style parameters, exactly as Nest registers them; a key
 * ending in `*` covers every path starting with what precedes it.
 */
export type RoutePolicy = 'public' | 'user' | 'superuser';

export const ROUTE_POLICIES: Record<string, RoutePolicy> = {
  // Swagger UI and the OpenAPI document
  'GET /docs*': 'public',

  // Auth, users, audit
  'POST /api/v1/auth/login': 'public',
  'GET /api/v1/auth/me': 'user',
  'POST /api/v1/auth/logout': 'user',
  'POST /api/v1/auth/password': 'user',
  'GET /api/v1/users': 'superuser',
  'POST /api/v1/users': 'superuser',
  'GET /api/v1/users/:id': 'superuser',
  'PUT /api/v1/users/:id': 'superuser',
  'DELETE /api/v1/users/:id': 'superuser',
  'GET /api/v1/audit-logs': 'superuser',

  // Jobs
  'GET /api/v1/jobs': 'user',
  'GET /api/v1/jobs/:id': 'user',
  'POST /api/v1/jobs': 'superuser',
  'PUT /api/v1/jobs/:id': 'superuser',
  'DELETE /api/v1/jobs/:id': 'superuser',
  'POST /api/v1/jobs/:id/execute': 'superuser',
  'POST /api/v1/jobs/:id/pause': 'superuser',
  'POST /api/v1/jobs/:id/resume': 'superuser',
  'POST /api/v1/jobs/:id/backfill': 'superuser',
  'GET /api/v1/jobs/overdue/list': 'user',
  'GET /api/v1/jobs/stats/overview': 'user',
  // Creates, updates and (prune) deletes jobs, even as a dry run's answer (it reveals what differs).
  'POST /api/v1/jobs/apply': 'superuser',
  // Changes nothing: it only computes fire times.
  'POST /api/v1/jobs/validate-schedule': 'user',

  // Runs
  'GET /api/v1/jobs/:id/executions': 'user',
  'GET /api/v1/executions': 'user',
  'GET /api/v1/executions/:id': 'user',
  'GET /api/v1/executions/:id/logs': 'user',
  'GET /api/v1/executions/:id/logs/stream': 'user',
  'POST /api/v1/executions/:id/cancel': 'superuser',

  // Tasks
  'GET /api/v1/tasks': 'user',

  // Secrets: values are write-only; even listing names is for superusers
  'POST /api/v1/secrets': 'superuser',
  'GET /api/v1/secrets': 'superuser',
  'GET /api/v1/secrets/:name': 'superuser',
  'PUT /api/v1/secrets/:name': 'superuser',
  'DELETE /api/v1/secrets/:name': 'superuser',
  'POST /api/v1/notification-channels': 'superuser',
  'GET /api/v1/notification-channels': 'superuser',
  'GET /api/v1/notification-channels/:id': 'superuser',
  'PUT /api/v1/notification-channels/:id': 'superuser',
  'DELETE /api/v1/notification-channels/:id': 'superuser',
  'POST /api/v1/notification-channels/:id/test': 'superuser',
  'GET /api/v1/notification-channels/:id/deliveries': 'superuser',

  // Operations (outside /api/v1): liveness and readiness are open to probes; /metrics is public
  // unless METRICS_TOKEN is set (then it needs that token, not a user's JWT; see metrics.e2e-spec.ts)
  'GET /health': 'public',
  'GET /health/ready': 'public',
  'GET /metrics': 'public',
};

export function policyFor(route: string): RoutePolicy | undefined {
  if (ROUTE_POLICIES[route]) return ROUTE_POLICIES[route];
  const wildcard = Object.keys(ROUTE_POLICIES).find((key) => key.endsWith('*') && route.startsWith(key.slice(0, -1)));
  return wildcard ? ROUTE_POLICIES[wildcard] : undefined;
}
