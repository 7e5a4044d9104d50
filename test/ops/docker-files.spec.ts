import * as fs from 'node:fs';
import * as path from 'node:path';
import { load, YAML11_SCHEMA } from 'js-yaml';
import { AppConfig } from '../../src/config/app-config';
import { envSchema, ROLE_NAMES } from '../../src/config/config.schema';

/** No Docker engine runs here: these checks keep the Dockerfile and docker-compose.yml consistent with the code. */
const ROOT = path.resolve(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

interface ComposeService {
  build?: unknown;
  image?: string;
  environment?: Record<string, string | number>;
  depends_on?: Record<string, unknown>;
}
// YAML 1.1: Compose files use merge keys (<<: *anchor).
const compose = load(read('docker-compose.yml'), { schema: YAML11_SCHEMA }) as {
  services: Record<string, ComposeService>;
};
const appServices = Object.entries(compose.services).filter(
  ([, s]) => s.build !== undefined || s.image === 'jobs-service',
);

/** `${X:?message}` / `${X:-default}` / `${X}` → a value the schema accepts, as a deployer would supply. */
const SAMPLE: Record<string, string> = {
  JWT_SECRET: 'x'.repeat(40),
  ADMIN_PASSWORD: 'a-long-password',
  ADMIN_USERNAME: 'admin',
  METRICS_TOKEN: 'metrics-token-0123456789',
};
function interpolate(value: string | number): string {
  return String(value).replace(/\$\{(\w+)(?::?[-?][^}]*)?\}/g, (whole, variable: string) => {
    const fallback = /:-([^}]*)\}$/.exec(whole)?.[1];
    return SAMPLE[variable] ?? fallback ?? '';
  });
}

describe('docker-compose.yml', () => {
  it('has postgres, redis, one api process and two scheduler+worker processes', () => {
    expect(compose.services.postgres).toBeDefined();
    expect(compose.services.redis).toBeDefined();
    const roles = appServices.map(([, s]) => String(s.environment?.ROLES));
    expect(roles.filter((r) => r === 'api')).toHaveLength(1);
    expect(roles.filter((r) => r === 'scheduler,worker')).toHaveLength(2);
  });

  it.each(appServices.map(([name]) => name))(
    '%s: every variable exists in the config schema, and the whole environment validates',
    (name) => {
      const environment = compose.services[name].environment ?? {};
      const unknown = Object.keys(environment).filter((key) => !(key in envSchema.shape));
      expect(unknown).toEqual([]);
      for (const required of ['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'ROLES'])
        expect(Object.keys(environment)).toContain(required);
      const env = Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, interpolate(value)]));
      const config = AppConfig.from(env);
      expect([...config.roles].every((role) => (ROLE_NAMES as readonly string[]).includes(role))).toBe(true);
      expect(config.embedded).toBe(false);
      expect(config.redisUrl).toBe('redis://redis:6379');
    },
  );

  it('starts the service processes after PostgreSQL and Redis are healthy', () => {
    for (const [, service] of appServices)
      expect(Object.keys(service.depends_on ?? {}).sort()).toEqual(['postgres', 'redis']);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages[stages.length - 1];

  it('is multi-stage, and the runtime stage installs production dependencies only and runs as a non-root user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(runtime).toMatch(/npm ci --omit=dev/);
    expect(runtime).toMatch(/COPY --from=build \/app\/dist/);
    const user = /^USER (\S+)/m.exec(runtime)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
  });

  it('checks /health, and its default ROLES are valid', () => {
    expect(runtime).toMatch(/^HEALTHCHECK [\s\S]*\/health'/m);
    const roles = /ROLES=(\S+)/.exec(runtime)?.[1];
    expect(() => AppConfig.from({ ROLES: roles, DATABASE_URL: 'postgres://x@db/x' })).not.toThrow();
  });

  it('copies sources that exist, and its entry file exists after `npm run build`', () => {
    for (const match of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const source of match[1].split(/\s+/)) expect(fs.existsSync(path.join(ROOT, source))).toBe(true);
    }
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(runtime)![1]) as string[];
    const entries = cmd.filter((arg) => arg.startsWith('dist/'));
    expect(entries).toEqual(['dist/src/main.js']);
    for (const entry of [...entries, 'dist/src/cli.js']) {
      expect(fs.existsSync(path.join(ROOT, entry)) ? entry : `${entry} is missing: run npm run build`).toBe(entry);
    }
  });

  it('is built from a context without node_modules, dist or local data (.dockerignore)', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['node_modules', 'dist', 'data', '.git']) expect(ignored).toContain(entry);
  });
});
