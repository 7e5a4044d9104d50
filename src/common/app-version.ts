import { readFileSync } from 'node:fs';
import * as path from 'node:path';

let cached: string | undefined;

/** The service's version, from its package.json (found upwards from this file, in src/ or dist/src/). */
export function appVersion(): string {
  if (cached) return cached;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'jobs-service' && pkg.version) return (cached = pkg.version);
    } catch {
      // no package.json here: look further up
    }
    if (path.dirname(dir) === dir) return (cached = 'unknown');
  }
}
