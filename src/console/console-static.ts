import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import type { ServerResponse } from 'node:http';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const CONSOLE_PATH = '/console';
/** Vite names every built asset after its content: such a file never changes. */
const ASSET_CACHE = 'public, max-age=31536000, immutable';

/**
 * The built console (dist/console, from `vite build`): compiled, this file is dist/src/console/;
 * under ts-jest it is src/console/ and the build is still dist/console.
 */
export function consoleBuildDir(): string {
  const root = path.resolve(__dirname, '..', '..');
  return path.basename(root) === 'dist' ? path.join(root, 'console') : path.join(root, 'dist', 'console');
}

/**
 * Serves the web console at /console (its assets are public: every piece of data comes from the
 * API with the user's token) and redirects / there. Client-side routes (/console/jobs/12) get
 * index.html, which is never cached; the hashed assets are cached for good.
 */
export function serveConsole(app: NestExpressApplication, dir = consoleBuildDir()): void {
  const index = path.join(dir, 'index.html');
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method === 'GET' || req.method === 'HEAD') && req.path === '/')
      return res.redirect(302, `${CONSOLE_PATH}/`);
    next();
  });
  app.useStaticAssets(dir, {
    prefix: CONSOLE_PATH,
    index: false,
    redirect: false,
    fallthrough: true,
    setHeaders: (res: ServerResponse, file: string) =>
      res.setHeader('Cache-Control', isHashedAsset(dir, file) ? ASSET_CACHE : 'no-cache'),
  });
  app.use(CONSOLE_PATH, (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    // A missing asset is a 404, not the page.
    if (req.path.startsWith('/assets/')) return next();
    if (!fs.existsSync(index)) {
      res.status(404).type('text/plain').send('The console is not built: run `npm run build`.\n');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}

function isHashedAsset(dir: string, file: string): boolean {
  return path.relative(dir, file).split(path.sep)[0] === 'assets';
}
