import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { createTestApp, type TestApp } from '../support/test-app';
import { builtOpenApiDocument, ROOT, run, type OpenApiDocument, type OpenApiOperation } from './openapi-support';
import { policyFor } from './route-policies';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Gaps the document may have; empty: every operation that takes input documents its 400. */
const KNOWN_GAPS: string[] = [];

/** The client a team would write against the document: openapi-typescript types + openapi-fetch. */
const CLIENT_SOURCE = `
import createClient from 'openapi-fetch';
import type { paths } from './schema';

async function main(): Promise<void> {
  const client = createClient<paths>({ baseUrl: process.env.BASE_URL!, headers: { Authorization: \`Bearer \${process.env.TOKEN}\` } });
  const created = await client.POST('/api/v1/jobs', {
    body: { name: 'typed-client-job', title: 'From the generated client', job_type: 'system_health_check', schedule_type: 'interval',
            schedule_expression: '60', task_name: 'system_health_check', task_kwargs: { alert: false }, is_enabled: true },
  });
  if (!created.data) throw new Error('create failed: ' + JSON.stringify(created.error));
  const id: number = created.data.id;
  const listed = await client.GET('/api/v1/jobs', { params: { query: { search: 'typed-client', page: 1, size: 10 } } });
  const executed = await client.POST('/api/v1/jobs/{id}/execute', { params: { path: { id } }, body: { force: true } });
  if (!executed.data) throw new Error('execute failed: ' + JSON.stringify(executed.error));
  const runId: number = executed.data.id;
  let status: string = executed.data.status;
  for (let i = 0; i < 200 && (status === 'queued' || status === 'running'); i++) {
    await new Promise((r) => setTimeout(r, 100));
    const run = await client.GET('/api/v1/executions/{id}', { params: { path: { id: runId } } });
    status = run.data?.status ?? 'unknown';
  }
  const stats = await client.GET('/api/v1/jobs/stats/overview');
  const missing = await client.GET('/api/v1/jobs/{id}', { params: { path: { id: 999999 } } });
  process.stdout.write(JSON.stringify({
    created: { id, name: created.data.name, status: created.response.status },
    listed: { total: listed.data?.total, names: listed.data?.items.map((j) => j.name) },
    executed: { status: executed.response.status, job_id: executed.data.job_id, final: status },
    stats: stats.data,
    missing: { status: missing.response.status, error: missing.error },
  }));
}

main().catch((error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });
`;

describe('OpenAPI document', () => {
  let doc: OpenApiDocument;

  beforeAll(async () => {
    doc = await builtOpenApiDocument();
  });

  it('is the committed openapi.json (run `npm run openapi` after changing the API)', () => {
    const committed = JSON.parse(fs.readFileSync(path.join(ROOT, 'openapi.json'), 'utf8'));
    expect(committed).toEqual(doc);
  });

  it('is valid OpenAPI 3 under @apidevtools/swagger-parser', async () => {
    // In a child process: the validator is ESM, which jest on Node 20 cannot load.
    const result = await run(process.execPath, [path.join(ROOT, 'scripts', 'openapi.js'), '--stdout', '--validate']);
    expect(result.stderr.trim()).toBe('The document is valid OpenAPI (swagger-parser)');
    expect(result.code).toBe(0);
  });

  it('documents every operation: id, summary, a success response with its schema, errors with the error schema, security', () => {
    const problems: string[] = [];
    for (const [route, item] of Object.entries(doc.paths)) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        const key = `${method.toUpperCase()} ${route}`;
        if (!op.operationId) problems.push(`${key}: no operationId`);
        if (!op.summary && !op.description) problems.push(`${key}: no summary`);
        const codes = Object.keys(op.responses ?? {});
        const success = codes.find((c) => /^2/.test(c));
        if (!success) problems.push(`${key}: no 2xx response`);
        else if (success !== '204' && !op.responses?.[success].content)
          problems.push(`${key}: ${success} has no schema`);
        for (const code of codes.filter((c) => /^4/.test(c))) {
          const schema = op.responses?.[code].content?.['application/json']?.schema;
          if (schema?.$ref !== '#/components/schemas/ErrorResponseDto')
            problems.push(`${key}: ${code} is not documented as ErrorResponseDto`);
        }
        const policy = policyFor(`${method.toUpperCase()} ${route.replace(/\{(\w+)\}/g, ':$1')}`);
        const bearer = (op.security ?? []).some((s) => 'bearer' in s);
        if (policy && policy !== 'public' && !bearer) problems.push(`${key}: needs bearer security`);
        if ((op.requestBody || (op.parameters ?? []).length > 0) && !codes.includes('400') && policy !== 'public')
          problems.push(`${key}: takes input but documents no 400`);
      }
    }
    expect(problems.filter((p) => !KNOWN_GAPS.includes(p))).toEqual([]);
    expect(KNOWN_GAPS.filter((gap) => !problems.includes(gap))).toEqual([]);
  });

  /** Every operation of the document, with its method and path. */
  function operations(): { key: string; route: string; op: OpenApiOperation }[] {
    return Object.entries(doc.paths).flatMap(([route, item]) =>
      METHODS.flatMap((method) => {
        const op = item[method];
        return op ? [{ key: `${method.toUpperCase()} ${route}`, route, op }] : [];
      }),
    );
  }

  it('gives every operation a summary, a description and a unique camelCase verbNoun operationId', () => {
    const problems: string[] = [];
    const seen = new Map<string, string>();
    for (const { key, op } of operations()) {
      if (!op.summary?.trim()) problems.push(`${key}: no summary`);
      if (!op.description?.trim()) problems.push(`${key}: no description`);
      const id = op.operationId ?? '';
      if (!/^[a-z][a-zA-Z]+$/.test(id)) problems.push(`${key}: operationId "${id}" is not camelCase verbNoun`);
      if (seen.has(id)) problems.push(`${key}: operationId "${id}" is also ${seen.get(id)}'s`);
      seen.set(id, key);
    }
    expect(problems).toEqual([]);
    // The ids generated clients are built on: renaming one breaks them.
    expect(doc.paths['/api/v1/jobs'].get?.operationId).toBe('listJobs');
    expect(doc.paths['/api/v1/jobs'].post?.operationId).toBe('createJob');
    expect(doc.paths['/api/v1/jobs/{id}'].get?.operationId).toBe('getJob');
    expect(doc.paths['/api/v1/jobs/{id}/execute'].post?.operationId).toBe('executeJob');
    expect(doc.paths['/api/v1/executions/{id}/cancel'].post?.operationId).toBe('cancelExecution');
    expect(doc.paths['/api/v1/auth/login'].post?.operationId).toBe('login');
  });

  it('declares every tag an operation uses, with a description', () => {
    const declared = new Map((doc.tags ?? []).map((tag) => [tag.name, tag.description ?? '']));
    const used = new Set(operations().flatMap(({ op }) => op.tags ?? []));
    expect([...used].filter((tag) => !declared.get(tag)?.trim())).toEqual([]);
    expect(
      operations()
        .filter(({ op }) => !op.tags?.length)
        .map(({ key }) => key),
    ).toEqual([]);
  });

  it('describes every property of every schema, with an example for each scalar, and types free-form objects as open', () => {
    const problems: string[] = [];
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      for (const [field, property] of Object.entries(schema.properties ?? {})) {
        const at = `${name}.${field}`;
        if (!property.description?.trim()) problems.push(`${at}: no description`);
        const scalar =
          property.enum !== undefined || ['string', 'number', 'integer', 'boolean'].includes(property.type ?? '');
        if (scalar && property.example === undefined) problems.push(`${at}: no example`);
        // `type: object` with neither properties nor additionalProperties is Record<string, never> to generators.
        if (property.type === 'object' && !property.properties && !property.additionalProperties)
          problems.push(`${at}: a closed empty object`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('describes every response, and gives each error status an example of its own status and code', () => {
    const problems: string[] = [];
    for (const { key, op } of operations()) {
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        if (!response.description?.trim()) problems.push(`${key} ${status}: no description`);
        const json = response.content?.['application/json'];
        if (!/^[45]/.test(status) || json?.schema?.$ref !== '#/components/schemas/ErrorResponseDto') continue;
        const example = json.example as
          { statusCode?: number; error?: string; code?: string; message?: unknown; details?: unknown[] } | undefined;
        if (!example) {
          problems.push(`${key} ${status}: no example`);
          continue;
        }
        if (example.statusCode !== Number(status))
          problems.push(`${key} ${status}: the example is a ${example.statusCode}`);
        if (!example.error || !/^[A-Z_]+$/.test(example.code ?? '') || !example.message)
          problems.push(`${key} ${status}: the example is not {statusCode, error, code, message}`);
        if ((status === '400') !== Array.isArray(example.details))
          problems.push(`${key} ${status}: details belong to a 400 only`);
      }
    }
    expect(problems).toEqual([]);
    const jobNotFound = doc.paths['/api/v1/jobs/{id}'].get?.responses?.['404'].content?.['application/json'].example;
    expect(jobNotFound).toMatchObject({ statusCode: 404, code: 'JOB_NOT_FOUND' });
  });

  it('describes every parameter', () => {
    const undescribed = operations().flatMap(({ key, op }) =>
      ((op.parameters ?? []) as { name: string; in: string; description?: string }[])
        .filter((parameter) => !parameter.description?.trim())
        .map((parameter) => `${key}: ${parameter.in} ${parameter.name}`),
    );
    expect(undescribed).toEqual([]);
  });

  it('has the version of package.json', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(doc.info.version).toBe(pkg.version);
  });

  it('documents the operations endpoints: /health, /health/ready (503) and /metrics (text, optional METRICS_TOKEN)', () => {
    expect(doc.paths['/health'].get?.responses?.['200']).toBeDefined();
    expect(doc.paths['/health/ready'].get?.responses?.['503']).toBeDefined();
    expect(doc.paths['/metrics'].get?.responses?.['200'].content?.['text/plain']).toBeDefined();
    expect(doc.paths['/metrics'].get?.security).toEqual([{}, { metrics_token: [] }]);
    expect(doc.components.securitySchemes.metrics_token).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  describe('a typed client generated from it (openapi-typescript + openapi-fetch)', () => {
    let t: TestApp;
    let dir: string;

    beforeAll(async () => {
      t = await createTestApp('openapi_client');
      await t.app.listen(0, '127.0.0.1');
      // Under node_modules/.cache so that the client resolves openapi-fetch like any project would.
      const cache = path.join(ROOT, 'node_modules', '.cache');
      fs.mkdirSync(cache, { recursive: true });
      dir = fs.mkdtempSync(path.join(cache, 'openapi-client-'));
    });
    afterAll(async () => {
      await t?.close();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('compiles with strict TypeScript and runs create / list / execute / stats against a running server', async () => {
      fs.writeFileSync(path.join(dir, 'openapi.json'), JSON.stringify(doc));
      const generated = await run(process.execPath, [
        path.join(ROOT, 'node_modules', 'openapi-typescript', 'bin', 'cli.js'),
        path.join(dir, 'openapi.json'),
        '--output',
        path.join(dir, 'schema.d.ts'),
        '--default-non-nullable=false',
      ]);
      expect(generated.stderr + (generated.code === 0 ? '' : ' failed')).not.toMatch(/failed|error/i);
      // Free-form objects (task_kwargs, config, metadata, a run's kwargs and result) are open records.
      const types = fs.readFileSync(path.join(dir, 'schema.d.ts'), 'utf8');
      expect(types).not.toMatch(/\w\??: Record<string, never>/);
      expect(types).toMatch(/task_kwargs: \{\s*\[key: string\]: unknown;\s*\}/);
      fs.writeFileSync(path.join(dir, 'client.ts'), CLIENT_SOURCE);

      const program = ts.createProgram([path.join(dir, 'client.ts')], {
        strict: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
        types: ['node'],
        skipLibCheck: true,
        outDir: dir,
      });
      const emitted = program.emit();
      const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].map((d) =>
        ts.flattenDiagnosticMessageText(d.messageText, '\n'),
      );
      expect(diagnostics).toEqual([]);

      const address = t.app.getHttpServer().address() as { port: number };
      const result = await run(process.execPath, [path.join(dir, 'client.js')], {
        cwd: dir,
        env: { ...process.env, BASE_URL: `http://127.0.0.1:${address.port}`, TOKEN: t.tokens.admin },
      });
      expect(result.stderr).toBe('');
      const out = JSON.parse(result.stdout);
      expect(out.created).toMatchObject({ name: 'typed-client-job', status: 201 });
      expect(out.listed).toEqual({ total: 1, names: ['typed-client-job'] });
      expect(out.executed).toMatchObject({ status: 202, job_id: out.created.id, final: 'succeeded' });
      expect(out.stats).toBeDefined();
      expect(JSON.stringify(out.stats)).toMatch(/succeeded/);
      expect(out.missing).toMatchObject({ status: 404, error: { statusCode: 404, error: 'Not Found' } });
    });
  });
});
