import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const SCHEMA = path.join(ROOT, 'clients', 'typescript', 'src', 'schema.d.ts');

describe('TypeScript client (clients/typescript)', () => {
  it('has a schema.d.ts generated from the committed openapi.json (run `npm run sdk` after `npm run openapi`)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdk-schema-'));
    try {
      const fresh = path.join(dir, 'schema.d.ts');
      // The same command as `npm run sdk`, written elsewhere.
      const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { sdk: string } };
      const args = pkg.scripts.sdk
        .split(' ')
        .slice(1)
        .map((arg) => (arg === 'clients/typescript/src/schema.d.ts' ? fresh : arg));
      execFileSync(
        process.execPath,
        [path.join(ROOT, 'node_modules', 'openapi-typescript', 'bin', 'cli.js'), ...args],
        {
          cwd: ROOT,
          stdio: 'ignore',
        },
      );
      const same = fs.readFileSync(fresh, 'utf8') === fs.readFileSync(SCHEMA, 'utf8');
      expect(same ? 'fresh' : 'stale: run npm run sdk').toBe('fresh');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
