import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { MetricsService } from './metrics.service';

/**
 * Times every HTTP request (mounted first in app.setup.ts, so 401s and 404s count too). The
 * route label is the route template (`/api/v1/jobs/:id`), never the raw URL; requests that
 * match no route are labelled `unmatched`, except the static assets: the Swagger UI's (`/docs`)
 * and the console's (`/console`).
 */
export function httpMetricsMiddleware(metrics: MetricsService): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    res.once('finish', () => {
      const template = (req.route as { path?: string } | undefined)?.path;
      const route = template ? `${req.baseUrl}${template}` : staticRoute(req.originalUrl ?? req.url);
      metrics.httpRequest(req.method, route, res.statusCode, Number(process.hrtime.bigint() - start) / 1e9);
    });
    next();
  };
}

/** Static assets served outside the router: one label per area, not one per file. */
function staticRoute(url: string): string {
  const path = url.split('?')[0];
  for (const area of ['/docs', '/console']) if (path === area || path.startsWith(`${area}/`)) return area;
  return 'unmatched';
}
