import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { jobBody } from '../factories/job.factory';
import { buildOnce, manageEnv, ROOT, runManage } from '../support/manage';
import { createTestApp, type TestApp } from '../support/test-app';

const BUNDLE = path.join(ROOT, 'dist', 'cli', 'manage.cjs');
const HOOK = path.join(ROOT, 'test', 'support', 'loaded-packages.cjs');

/** The package a file loaded from node_modules belongs to (null for the project's own files). */
function packageOf(file: string): string | null {
  const match = /node_modules\/((@[^/]+\/)?[^/]+)\//.exec(file);
  return match ? match[1] : null;
}

/**
 * ./manage runs the CLI bundled into one file (scripts/bundle-cli.mjs). A package both inside the
 * bundle and required from node_modules at run time would exist twice in one process (two
 * metadata stores, two class identities): commands across the CLI's areas run here with a hook
 * that lists what they loaded, and no bundled package may appear among them.
 */
describe('./manage bundled into one file', () => {
  let t: TestApp;
  let env: NodeJS.ProcessEnv;
  let work: string;
  const bundled = () =>
    new Set<string>(JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'cli', 'bundled-packages.json'), 'utf8')));

  beforeAll(async () => {
    buildOnce();
    t = await createTestApp('cli_bundle', { ROLES: 'api' });
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-bundle-'));
    env = manageEnv(t);
  });
  afterAll(async () => {
    fs.rmSync(work, { recursive: true, force: true });
    await t?.close();
  });

  /** Runs one command with the hook; answers its result and the files it loaded. */
  async function traced(args: string[], input?: string) {
    const out = path.join(work, `loaded-${args.join('_').replace(/[^a-z0-9_-]/gi, '')}.txt`);
    const result = await runManage(args, { ...env, NODE_OPTIONS: `--require ${HOOK}`, LOADED_FILES_OUT: out }, input);
    return { ...result, loaded: fs.readFileSync(out, 'utf8').split('\n').filter(Boolean) };
  }

  it('is what ./manage runs, and no package is both bundled and loaded from node_modules', async () => {
    const job = (
      await t.http
        .post('/api/v1/jobs/')
        .send(jobBody({ name: 'bundled_cli_job' }))
        .expect(201)
    ).body;
    const file = path.join(work, 'jobs.yaml');
    const commands: { args: string[]; input?: string }[] = [
      { args: ['jobs', 'list'] },
      { args: ['jobs', '--help'] },
      { args: ['jobs', 'show', String(job.id), '--json'] },
      { args: ['jobs', 'update', String(job.id), '--title', 'Renamed by the bundle'] },
      { args: ['jobs', 'execute', String(job.id), '--force'] },
      { args: ['jobs', 'export', '--format', 'yaml'] },
      { args: ['jobs', 'validate-schedule', 'cron', '0 3 * * *', '--timezone', 'Europe/Paris'] },
      { args: ['jobs', 'runs', String(job.id)] },
      { args: ['jobs', 'stats'] },
      { args: ['users', 'list'] },
      { args: ['users', 'create', 'bundle_user', '--password-stdin'], input: 'a-fine-bundled-password-42\n' },
      { args: ['channels', 'list'] },
    ];
    const inside = bundled();
    expect(inside.has('@nestjs/core')).toBe(true);
    const seen: Record<string, string[]> = {};
    for (const { args, input } of commands) {
      const result = await traced(args, input);
      if (args[1] === 'export') fs.writeFileSync(file, result.stdout);
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code: 0, stderr: '' });
      expect(result.loaded).toContain(BUNDLE);
      const twice = [...new Set(result.loaded.map(packageOf))].filter((p): p is string => p !== null && inside.has(p));
      if (twice.length > 0) seen[args.join(' ')] = twice;
    }
    expect(seen).toEqual({});
    const applied = await traced(['jobs', 'apply', '-f', file, '--dry-run']);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/unchanged/i);
  });

  it('falls back to the modules when the bundle is older than the build', async () => {
    const stamp = fs.statSync(BUNDLE);
    const old = new Date(fs.statSync(path.join(ROOT, 'dist', 'src', 'cli.js')).mtimeMs - 60_000);
    fs.utimesSync(BUNDLE, old, old);
    try {
      const result = await traced(['jobs', 'list']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('bundled_cli_job');
      expect(result.loaded).not.toContain(BUNDLE);
      expect(result.loaded).toContain(path.join(ROOT, 'dist', 'src', 'cli.js'));
    } finally {
      fs.utimesSync(BUNDLE, stamp.atime, stamp.mtime);
    }
  });
});
