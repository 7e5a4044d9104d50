import './node-version-guard';
import { statSync } from 'node:fs';
import * as nodeModule from 'node:module';
import * as path from 'node:path';
import { answeredVersionFlag } from './cli/version-flag';

/**
 * What ./manage runs. Node 22.1+ keeps the compiled code of what it loads in an on-disk cache
 * and reuses it on the next start; switched on here, before the CLI's code loads. Then the CLI
 * bundled into one file (dist/cli/manage.cjs, by scripts/bundle-cli.mjs in `npm run build`)
 * when it is at least as new as this build, else the same CLI as modules (dist/src/cli.js):
 * one file costs a fraction of finding, reading and compiling ~1,600 modules.
 */
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

function modifiedAt(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

if (answeredVersionFlag(process.argv.slice(2))) process.exit(0);

const bundle = path.join(__dirname, '..', 'cli', 'manage.cjs');
const modules = path.join(__dirname, 'cli.js');
require(modifiedAt(bundle) >= modifiedAt(modules) ? bundle : modules);
