import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { lookup } from 'node:dns/promises';
import { z } from 'zod';
import { AppConfig } from '../../../config/app-config';
import { throwIfAborted } from '../abort';
import { HttpHostPolicy } from '../http-host-policy';
import { TaskHandler } from '../task-handler.decorator';
import { httpUrl } from '../task-kwargs';
import type { TaskContext, TaskHandlerInstance } from '../task.types';

const MAX_TOOL_PAGES = 50;

const kwargs = z
  .object({
    servers: z
      .array(httpUrl('MCP server URL'))
      .max(100)
      .optional()
      .describe('MCP server URLs (streamable HTTP); default MCP_SERVERS'),
    timeout_seconds: z
      .number()
      .positive()
      .max(300)
      .default(10)
      .describe('Per-server limit for connecting, initializing and listing tools'),
  })
  .strict();

export interface McpServerReport {
  url: string;
  reachable: boolean;
  latency_ms: number;
  server_name: string | null;
  server_version: string | null;
  tool_count: number | null;
  error?: string;
}

export interface McpHealthResult {
  status: 'healthy' | 'degraded' | 'unhealthy' | 'not_configured';
  checked: number;
  reachable: number;
  unreachable: number;
  servers: McpServerReport[];
}

/** The `mcp_server_health_check` default job: initialize and list tools on each MCP server. */
@TaskHandler('mcp_server_health_check', {
  description:
    'Connect to each MCP server (MCP_SERVERS or kwargs servers) over streamable HTTP: initialize, list tools, report',
  kwargs,
})
export class McpServerHealthCheckTask implements TaskHandlerInstance {
  /** The http.request task's network policy (HTTP_TASK_ALLOWED_HOSTS / HTTP_TASK_DENIED_HOSTS) holds here too. */
  private readonly policy: HttpHostPolicy;

  constructor(private readonly config: AppConfig) {
    this.policy = new HttpHostPolicy(config.httpTaskAllowedHosts, config.httpTaskDeniedHosts);
  }

  /** A server URL whose host is a denied address or name is refused when the job is saved. */
  checkKwargs(valid: Record<string, unknown>): string[] {
    const servers = Array.isArray(valid.servers) ? (valid.servers as string[]) : [];
    return servers.flatMap((url, i) => {
      const refusal = URL.canParse(url) ? this.policy.refusalOfHost(new URL(url).hostname) : null;
      return refusal ? [`task_kwargs.servers.${i}: ${refusal}`] : [];
    });
  }

  async run(raw: Record<string, unknown>, ctx: TaskContext): Promise<McpHealthResult> {
    const input = kwargs.parse(raw);
    const urls = input.servers ?? this.config.mcpServers;
    const servers = await Promise.all(
      urls.map(async (url) => {
        const refusal = await this.refusalOf(url);
        return refusal
          ? unreachable(url, 0, `refused: ${refusal}; nothing was sent`)
          : checkServer(url, input.timeout_seconds * 1000, ctx.signal);
      }),
    );
    throwIfAborted(ctx.signal);
    const reachable = servers.filter((s) => s.reachable).length;
    const status =
      urls.length === 0
        ? 'not_configured'
        : reachable === urls.length
          ? 'healthy'
          : reachable === 0
            ? 'unhealthy'
            : 'degraded';
    for (const server of servers.filter((s) => !s.reachable))
      ctx.logger.warn(`MCP server ${server.url} is unreachable: ${server.error}`);
    return { status, checked: servers.length, reachable, unreachable: servers.length - reachable, servers };
  }

  /**
   * Every address the server's name resolves to is checked before connecting. Unlike
   * http.request (which connects to the checked address itself), the MCP client resolves the
   * name again, so a DNS answer that changes in between is not caught here.
   */
  private async refusalOf(url: string): Promise<string | null> {
    const host = new URL(url).hostname;
    const byName = this.policy.refusalOfHost(host);
    if (byName) return byName;
    const addresses = await lookup(host.replace(/^\[(.*)\]$/, '$1'), { all: true }).catch(() => []);
    return addresses.map((a) => this.policy.refusalOfAddress(host, a.address)).find((r) => r !== null) ?? null;
  }
}

function unreachable(url: string, latencyMs: number, error: string): McpServerReport {
  return {
    url,
    reachable: false,
    latency_ms: latencyMs,
    server_name: null,
    server_version: null,
    tool_count: null,
    error,
  };
}

async function checkServer(url: string, timeoutMs: number, parent: AbortSignal): Promise<McpServerReport> {
  const started = performance.now();
  const signal = AbortSignal.any([parent, AbortSignal.timeout(timeoutMs)]);
  // Loaded on first use: the SDK costs ~80 ms of start-up every process (and every ./manage call) would pay.
  const { Client } =
    require('@modelcontextprotocol/sdk/client/index.js') as typeof import('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } =
    require('@modelcontextprotocol/sdk/client/streamableHttp.js') as typeof import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const client = new Client({ name: 'jobs-service-health-check', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { signal } });
  try {
    await client.connect(transport, { signal, timeout: timeoutMs });
    const info = client.getServerVersion();
    const toolCount = client.getServerCapabilities()?.tools ? await countTools(client, signal, timeoutMs) : 0;
    return {
      url,
      reachable: true,
      latency_ms: elapsed(started),
      server_name: info?.name ?? null,
      server_version: info?.version ?? null,
      tool_count: toolCount,
    };
  } catch (error) {
    return unreachable(url, elapsed(started), describe(error));
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function countTools(client: Client, signal: AbortSignal, timeout: number): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  for (let page = 0; page < MAX_TOOL_PAGES; page++) {
    const answer = await client.listTools(cursor ? { cursor } : {}, { signal, timeout });
    count += answer.tools.length;
    cursor = answer.nextCursor;
    if (!cursor) break;
  }
  return count;
}

const elapsed = (started: number): number => Math.round((performance.now() - started) * 100) / 100;

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  return cause instanceof Error && !error.message.includes(cause.message)
    ? `${error.message} (${cause.message})`
    : error.message;
}
