import { isIP } from 'node:net';
import { z } from 'zod';
import { passwordWeakness } from '../modules/auth/password-strength';

/**
 * Every environment variable the service reads, declared once. `loadConfig` validates them
 * at start-up; a bad value stops the process with a message naming the variable.
 * The README's configuration table is generated from `CONFIG_DOCS`.
 */
export const ROLE_NAMES = ['api', 'scheduler', 'worker'] as const;
export type Role = (typeof ROLE_NAMES)[number];

const intIn = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const list = z.string().transform((s) =>
  s
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean),
);
const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .trim()
    .optional()
    .transform((s) => (s ? s : undefined))
    .refine((s) => s === undefined || protocols.some((p) => s.startsWith(`${p}://`)), {
      message: `must be a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}`,
    });

/** A browser origin, `https://app.example.com` (scheme, host, optional port; no path), or `*` (any origin). */
function isCorsOrigin(entry: string): boolean {
  if (entry === '*') return true;
  try {
    const url = new URL(entry);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === entry;
  } catch {
    return false;
  }
}

/** `host.example`, `*.example.com`, an IP address or a CIDR range. */
function isHostEntry(entry: string): boolean {
  const [ip, prefix, ...rest] = entry.split('/');
  const family = isIP(ip);
  if (rest.length > 0) return false;
  if (prefix !== undefined)
    return family !== 0 && /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
  return (
    family !== 0 ||
    /^(\*\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.?$/i.test(entry)
  );
}
const hostList = list.refine((entries) => entries.every(isHostEntry), {
  message: 'must be comma-separated host names (`*.domain` for its subdomains), IP addresses or CIDR ranges',
});
/** Link-local addresses and the cloud metadata services. */
export const DEFAULT_HTTP_TASK_DENIED_HOSTS = [
  '169.254.0.0/16',
  'fe80::/10',
  'fd00:ec2::254',
  '100.100.100.200',
  'metadata.google.internal',
];

export const envSchema = z.object({
  PORT: intIn(0, 65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: optionalUrl(['postgres', 'postgresql']),
  DATABASE_POOL_SIZE: intIn(1, 200).default(10),
  REDIS_URL: optionalUrl(['redis', 'rediss']),
  ROLES: list
    .default(['api', 'scheduler', 'worker'])
    .pipe(z.array(z.enum(ROLE_NAMES)).min(1, 'must name at least one of api, scheduler, worker')),
  WORKER_QUEUES: list.optional(),
  WORKER_CONCURRENCY: intIn(1, 1000).default(20),
  WORKER_PROCESSES: intIn(1, 64).optional(),
  JOBS_WORKER_CHILD: intIn(1, 2 ** 31).optional(),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_TTL: intIn(60, 31 * 24 * 3600).default(3600),
  LOGIN_THROTTLE_LIMIT: intIn(1, 10000).default(10),
  LOGIN_THROTTLE_IP_LIMIT: intIn(1, 100000).default(30),
  LOGIN_THROTTLE_WINDOW_SECONDS: intIn(1, 86400).default(60),
  LOGIN_THROTTLE_USERNAME_LIMIT: intIn(1, 1000000).default(100),
  ADMIN_USERNAME: z
    .string()
    .regex(/^[A-Za-z0-9_.@-]{1,100}$/, 'must be 1–100 letters, digits or _.@-')
    .optional(),
  ADMIN_PASSWORD: z
    .string()
    .superRefine((password, ctx) => {
      const weakness = passwordWeakness(password, ['admin']);
      if (weakness) ctx.addIssue({ code: 'custom', message: weakness });
    })
    .optional(),
  OVERDUE_GRACE_SECONDS: intIn(0, 86400).default(60),
  MISFIRE_CATCHUP_MAX: intIn(1, 10000).default(100),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,50}$/, 'must be 1–50 letters, digits, _ or -')
    .default('jobs'),
  DISPATCH_BATCH_SIZE: intIn(1, 5000).default(200),
  DISPATCH_POLL_SECONDS: intIn(1, 3600).default(60),
  DISPATCH_LOOKAHEAD_MS: intIn(0, 60_000).default(2000),
  WORKER_LOCK_SECONDS: intIn(2, 3600).default(10),
  RECOVERY_INTERVAL_SECONDS: intIn(1, 3600).default(15),
  RECOVERY_QUEUED_SECONDS: intIn(5, 86400).default(60),
  SHUTDOWN_TIMEOUT_SECONDS: intIn(0, 3600).default(30),
  EMBEDDED_PG_RESTART_ATTEMPTS: intIn(1, 1000).default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DOCUMENTS_DIR: z.string().optional(),
  BACKUP_DIR: z.string().optional(),
  ALERT_WEBHOOK_URL: optionalUrl(['http', 'https']),
  HTTP_TASK_ALLOWED_HOSTS: hostList.optional(),
  HTTP_TASK_DENIED_HOSTS: hostList.default(DEFAULT_HTTP_TASK_DENIED_HOSTS),
  MCP_SERVERS: list.optional().refine((urls) => !urls || urls.every((u) => /^https?:\/\/[^\s]+$/.test(u)), {
    message: 'must be comma-separated http:// or https:// URLs',
  }),
  RUN_RETENTION_DAYS: intIn(0, 36500).default(90),
  RUN_LOG_MAX_LINES: intIn(0, 1_000_000).default(1000),
  RUN_LOG_MAX_BYTES: intIn(0, 64 * 1024 * 1024).default(256 * 1024),
  SMTP_URL: optionalUrl(['smtp', 'smtps']),
  SMTP_FROM: z.string().trim().min(3).max(300).default('jobs-service@localhost'),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  CORS_ORIGINS: list.optional().refine((origins) => !origins || origins.every(isCorsOrigin), {
    message:
      'must be comma-separated origins such as https://app.example.com (scheme, host, optional port; no path), or *',
  }),
  SECRETS_KEY: z
    .string()
    .trim()
    .refine(
      (s) =>
        /^[0-9a-fA-F]{64}$/.test(s) || (/^[A-Za-z0-9+/_-]{43}=?$/.test(s) && Buffer.from(s, 'base64').length === 32),
      {
        message: 'must be a 32-byte key: 64 hex characters or 44 base64 characters (e.g. `openssl rand -base64 32`)',
      },
    )
    .optional(),
});

export type Env = z.input<typeof envSchema>;

export const CONFIG_DOCS: Record<keyof z.infer<typeof envSchema>, string> = {
  PORT: 'HTTP port: the API, and `/health` + `/metrics` in every process',
  HOST: 'Address the API listens on',
  DATA_DIR: 'Directory for the embedded PostgreSQL and generated secrets (embedded mode)',
  DATABASE_URL: 'External PostgreSQL (`postgres://…`); unset = embedded PostgreSQL under DATA_DIR',
  DATABASE_POOL_SIZE: 'Connections per process',
  REDIS_URL: 'Run the BullMQ queues on Redis (`redis://…`); unset = BullMQ on PostgreSQL',
  ROLES: 'Comma-separated roles this process runs: api, scheduler, worker',
  WORKER_QUEUES: 'Comma-separated queues this worker consumes (default: all)',
  WORKER_CONCURRENCY:
    'Runs a worker process executes at once, per queue (most tasks wait on I/O; more runs in flight also make the batched claim and outcome writes larger)',
  JOBS_WORKER_CHILD:
    'Internal, do not set: the parent PID a worker process started by WORKER_PROCESSES receives (it then serves no HTTP and stops with its parent)',
  WORKER_PROCESSES:
    'Processes that execute runs for one process with the worker role: itself and WORKER_PROCESSES − 1 worker-only child processes it starts, restarts when they die and stops with it (default: one per core)',
  JWT_SECRET: 'HS256 secret, at least 32 characters (embedded mode generates one under DATA_DIR)',
  JWT_TTL: 'Access token lifetime in seconds',
  LOGIN_THROTTLE_LIMIT: 'Failed login attempts for one username from one client address per window before 429',
  LOGIN_THROTTLE_IP_LIMIT: 'Failed login attempts from one client address (any usernames) per window before 429',
  LOGIN_THROTTLE_WINDOW_SECONDS: 'Login throttling window (and how long a throttled username or address waits)',
  LOGIN_THROTTLE_USERNAME_LIMIT:
    'Failed login attempts for one username from all addresses together per window before 429 (a ceiling against guessing from many addresses)',
  ADMIN_USERNAME: 'First superuser, created when no user exists',
  ADMIN_PASSWORD:
    'Password of the first superuser: at least 12 characters and not guessable (zxcvbn score ≥ 3), or start-up stops',
  OVERDUE_GRACE_SECONDS: 'How late a job may be before it is listed as overdue',
  MISFIRE_CATCHUP_MAX: 'Most missed fire times a `run_all` job catches up',
  QUEUE_PREFIX: 'Key prefix of the BullMQ queues on Redis (one service per prefix)',
  DISPATCH_BATCH_SIZE: 'Due jobs the dispatcher claims per transaction',
  DISPATCH_POLL_SECONDS: 'Longest the dispatcher sleeps without a notification (safety poll)',
  DISPATCH_LOOKAHEAD_MS:
    'How far ahead the dispatcher claims fire times (records their runs), to release each to the queue at its fire time with its own timer; 0 claims at the fire time',
  WORKER_LOCK_SECONDS: "BullMQ lock of a running message; a dead worker's run is taken back after about this long",
  RECOVERY_INTERVAL_SECONDS: 'How often the recovery sweep looks for lost runs',
  RECOVERY_QUEUED_SECONDS: 'A run still queued after this long is enqueued again (enqueue lost in a crash)',
  SHUTDOWN_TIMEOUT_SECONDS: 'On SIGTERM, how long running tasks may finish before they are interrupted',
  EMBEDDED_PG_RESTART_ATTEMPTS:
    'Embedded mode: failed restarts in a row of a dead embedded PostgreSQL (backoff 0.5 s doubling to 30 s) after which liveness (`/health`) fails so the process gets restarted',
  LOG_LEVEL: 'fatal, error, warn, info, debug, trace or silent',
  DOCUMENTS_DIR: 'Directory the document cleanup tasks delete old files from (default DATA_DIR/documents)',
  BACKUP_DIR: 'Directory the backup task writes to (default DATA_DIR/backups)',
  ALERT_WEBHOOK_URL: 'Where the system health check POSTs its report when unhealthy',
  HTTP_TASK_ALLOWED_HOSTS:
    'Comma-separated hosts the `http.request` task may reach: names (`*.example.com` for subdomains), IP addresses, CIDR ranges; a name matches by itself or by every address it resolves to. Unset = any host not denied',
  HTTP_TASK_DENIED_HOSTS:
    'Comma-separated hosts the `http.request` task may never reach (same forms; checked against every resolved address at connect time; wins over the allow-list). Default: link-local and cloud metadata (`169.254.0.0/16,fe80::/10,fd00:ec2::254,100.100.100.200,metadata.google.internal`); a value replaces it',
  MCP_SERVERS: 'Comma-separated MCP server URLs (streamable HTTP) the MCP health check connects to',
  RUN_RETENTION_DAYS:
    'Runs (and their logs) that finished more than this many days ago are deleted: by the scheduler role, in batches, hourly (and by the database maintenance task); 0 keeps them forever',
  RUN_LOG_MAX_LINES:
    'Lines kept per run log; past it (or RUN_LOG_MAX_BYTES) one last line says how many were dropped; 0 keeps none',
  RUN_LOG_MAX_BYTES: 'Bytes (messages and fields) kept per run log',
  SMTP_URL:
    'SMTP server for email notification channels (`smtp://user:pass@host:587`, `smtps://…`); unset = email channels fail their deliveries',
  SMTP_FROM: 'Sender address of notification emails',
  METRICS_TOKEN: 'Bearer token `GET /metrics` requires (at least 16 characters); unset = `/metrics` is public',
  CORS_ORIGINS:
    'Comma-separated browser origins (`https://app.example.com`, or `*` for any) allowed to call the API cross-origin (CORS: preflights answered, `x-request-id` exposed, no cookies); unset = no CORS headers',
  SECRETS_KEY:
    'AES-256-GCM key of the secrets store: 32 bytes as 64 hex or base64 characters, the same in every process (unset: embedded mode generates one under DATA_DIR; with DATABASE_URL one is derived from JWT_SECRET, so rotating JWT_SECRET loses the stored values: set it in production)',
};
