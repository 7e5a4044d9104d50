import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { createTestApp, type TestApp } from '../support/test-app';
import { builtOpenApiDocument, ROOT, run, type OpenApiDocument } from './openapi-support';
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
