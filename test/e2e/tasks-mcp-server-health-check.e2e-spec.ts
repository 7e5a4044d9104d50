import * as http from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ValidationFailedError } from '../../src/common/errors';
import type { McpHealthResult } from '../../src/modules/tasks/handlers/mcp-server-health-check.task';
import { TaskRegistry } from '../../src/modules/tasks/task-registry.service';
import { listen, taskContext, type LocalServer } from '../support/tasks-fixtures';
import { createTestApp, type TestApp } from '../support/test-app';

/** A real MCP server (the SDK's server class) on a loopback port, stateless streamable HTTP. */
async function startMcpServer(toolNames: string[], seen = { requests: 0 }): Promise<LocalServer> {
  const httpServer = http.createServer((req, res) => {
    seen.requests++;
    const mcp = new McpServer({ name: 'test-mcp', version: '2.3.4' });
    for (const name of toolNames) {
      mcp.registerTool(name, { description: `The ${name} tool` }, () =>
        Promise.resolve({ content: [{ type: 'text', text: name }] }),
      );
    }
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    mcp
      .connect(transport)
      .then(() => transport.handleRequest(req, res))
      .catch(() => res.writeHead(500).end());
  });
  return listen(httpServer);
}

describe('mcp_server_health_check task', () => {
  let t: TestApp;
  let registry: TaskRegistry;
  let healthy: LocalServer;
  let stoppedUrl: string;

  beforeAll(async () => {
    healthy = await startMcpServer(['search', 'fetch', 'summarise']);
    const stopped = await startMcpServer(['x']);
    stoppedUrl = `${stopped.url}/mcp`;
    await stopped.close();
    t = await createTestApp('tasks_mcp', { MCP_SERVERS: `${healthy.url}/mcp,${stoppedUrl}` });
    registry = t.app.get(TaskRegistry);
  });
  afterAll(async () => {
    await t.close();
    await healthy.close();
  });

  it('initializes and lists tools on each server in MCP_SERVERS, reporting the stopped one as unreachable', async () => {
    const result = (await registry.run('mcp_server_health_check', {}, [], taskContext())) as McpHealthResult;
    expect(result).toMatchObject({ status: 'degraded', checked: 2, reachable: 1, unreachable: 1 });
    expect(result.servers[0]).toEqual({
      url: `${healthy.url}/mcp`,
      reachable: true,
      latency_ms: expect.any(Number),
      server_name: 'test-mcp',
      server_version: '2.3.4',
      tool_count: 3,
    });
    expect(result.servers[1]).toMatchObject({
      url: stoppedUrl,
      reachable: false,
      tool_count: null,
      error: expect.any(String),
    });
  });

  it('checks the servers given in kwargs instead', async () => {
    const result = (await registry.run(
      'mcp_server_health_check',
      { servers: [`${healthy.url}/mcp`] },
      [],
      taskContext(),
    )) as McpHealthResult;
    expect(result).toMatchObject({
      status: 'healthy',
      checked: 1,
      reachable: 1,
      servers: [{ server_name: 'test-mcp', tool_count: 3 }],
    });
  });

  it('reports an empty list as not configured', async () => {
    await expect(registry.run('mcp_server_health_check', { servers: [] }, [], taskContext())).resolves.toMatchObject({
      status: 'not_configured',
      checked: 0,
    });
  });

  it('accepts only http and https URLs', () => {
    expect(() => registry.validateKwargs('mcp_server_health_check', { servers: ['file:///tmp/x'] })).toThrow(
      ValidationFailedError,
    );
    expect(() => registry.validateKwargs('mcp_server_health_check', { servers: ['ws://127.0.0.1:1/mcp'] })).toThrow(
      /task_kwargs\.servers\.0: must be an http/,
    );
  });

  it('stops when the signal aborts, even while a server hangs', async () => {
    const hanging = await listen(http.createServer(() => undefined));
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('cancelled')), 100);
      const started = Date.now();
      const run = registry.run(
        'mcp_server_health_check',
        { servers: [hanging.url] },
        [],
        taskContext({ signal: controller.signal }),
      );
      await expect(run).rejects.toThrow('cancelled');
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await hanging.close();
    }
  });

  it('reports a hanging server as unreachable after timeout_seconds', async () => {
    const hanging = await listen(http.createServer(() => undefined));
    try {
      const result = (await registry.run(
        'mcp_server_health_check',
        { servers: [hanging.url], timeout_seconds: 0.3 },
        [],
        taskContext(),
      )) as McpHealthResult;
      expect(result).toMatchObject({ status: 'unhealthy', servers: [{ reachable: false, error: expect.any(String) }] });
    } finally {
      await hanging.close();
    }
  });
});

describe('mcp_server_health_check under the HTTP task network policy', () => {
  let t: TestApp;
  let server: LocalServer;
  const seen = { requests: 0 };

  beforeAll(async () => {
    server = await startMcpServer(['search'], seen);
    t = await createTestApp('tasks_mcp_policy', { HTTP_TASK_DENIED_HOSTS: '127.0.0.0/8,::1,169.254.0.0/16' });
  });
  afterAll(async () => {
    await t.close();
    await server.close();
  });

  it('refuses a denied server when the job is saved: 400 naming task_kwargs.servers.N, nothing created', async () => {
    const before = (await t.http.get('/api/v1/jobs/').expect(200)).body.total;
    const res = await t.http
      .post('/api/v1/jobs/')
      .send({
        name: 'mcp-metadata',
        title: 'MCP',
        job_type: 'mcp_server_health_check',
        schedule_type: 'interval',
        schedule_expression: '30',
        task_name: 'mcp_server_health_check',
        task_kwargs: { servers: ['https://example.com/mcp', 'http://169.254.169.254/mcp'] },
      })
      .expect(400);
    expect(res.body.details).toContainEqual({
      field: 'task_kwargs.servers.1',
      message: expect.stringContaining('HTTP_TASK_DENIED_HOSTS'),
    });
    expect((await t.http.get('/api/v1/jobs/').expect(200)).body.total).toBe(before);
  });

  it('reports a server whose name resolves to a denied address as unreachable, and sends it nothing', async () => {
    const url = `http://localhost:${new URL(server.url).port}/mcp`;
    const result = (await t.app
      .get(TaskRegistry)
      .run('mcp_server_health_check', { servers: [url] }, [], taskContext())) as McpHealthResult;
    expect(result).toMatchObject({
      status: 'unhealthy',
      servers: [
        { url, reachable: false, error: expect.stringMatching(/refused: .*HTTP_TASK_DENIED_HOSTS; nothing was sent/) },
      ],
    });
    expect(seen.requests).toBe(0);
  });
});
