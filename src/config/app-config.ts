import * as os from 'node:os';
import * as path from 'node:path';
import { envSchema, type Env, type Role } from './config.schema';

export class ConfigError extends Error {}

/** Typed, validated configuration. The only place that reads `process.env` is `fromProcessEnv`. */
export class AppConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly databasePoolSize: number;
  readonly redisUrl: string | undefined;
  readonly roles: ReadonlySet<Role>;
  readonly workerQueues: string[] | undefined;
  readonly workerConcurrency: number;
  /** Processes executing runs, this one included (WORKER_PROCESSES, default one per core). */
  readonly workerProcesses: number;
  /** Set in a worker process started by WorkerProcessesService: its parent's PID. */
  readonly workerChildOf: number | undefined;
  readonly jwtSecret: string | undefined;
  readonly jwtTtlSeconds: number;
  readonly loginThrottleLimit: number;
  readonly loginThrottleIpLimit: number;
  readonly loginThrottleWindowSeconds: number;
  readonly loginThrottleUsernameLimit: number;
  readonly adminUsername: string | undefined;
  readonly adminPassword: string | undefined;
  readonly overdueGraceSeconds: number;
  readonly misfireCatchupMax: number;
  readonly logLevel: string;
  readonly queuePrefix: string;
  readonly dispatchBatchSize: number;
  readonly dispatchLookaheadMs: number;
  readonly dispatchPollSeconds: number;
  readonly workerLockSeconds: number;
  readonly recoveryIntervalSeconds: number;
  readonly recoveryQueuedSeconds: number;
  readonly shutdownTimeoutSeconds: number;
  readonly embeddedRestartAttempts: number;
  readonly documentsDir: string;
  readonly backupDir: string;
  readonly alertWebhookUrl: string | undefined;
  /** Hosts the `http.request` task may reach (undefined = any not denied), and may never reach. */
  readonly httpTaskAllowedHosts: string[] | undefined;
  readonly httpTaskDeniedHosts: string[];
  readonly mcpServers: string[];
  /** 0: runs are kept forever. */
  readonly runRetentionDays: number;
  readonly runLogMaxLines: number;
  readonly runLogMaxBytes: number;
  readonly smtpUrl: string | undefined;
  readonly smtpFrom: string;
  readonly metricsToken: string | undefined;
  /** Browser origins allowed cross-origin (CORS_ORIGINS); empty: CORS is off. */
  readonly corsOrigins: string[];
  /** The secrets store's key, decoded (32 bytes). */
  readonly secretsKey: Buffer | undefined;

  private constructor(env: ReturnType<typeof envSchema.parse>) {
    this.port = env.PORT;
    this.host = env.HOST;
    this.dataDir = path.resolve(env.DATA_DIR);
    this.databaseUrl = env.DATABASE_URL;
    this.databasePoolSize = env.DATABASE_POOL_SIZE;
    this.redisUrl = env.REDIS_URL;
    this.roles = new Set(env.ROLES);
    this.workerQueues = env.WORKER_QUEUES;
    this.workerConcurrency = env.WORKER_CONCURRENCY;
    this.workerProcesses = env.WORKER_PROCESSES ?? os.availableParallelism();
    this.workerChildOf = env.JOBS_WORKER_CHILD;
    this.jwtSecret = env.JWT_SECRET;
    this.jwtTtlSeconds = env.JWT_TTL;
    this.loginThrottleLimit = env.LOGIN_THROTTLE_LIMIT;
    this.loginThrottleIpLimit = env.LOGIN_THROTTLE_IP_LIMIT;
    this.loginThrottleWindowSeconds = env.LOGIN_THROTTLE_WINDOW_SECONDS;
    this.loginThrottleUsernameLimit = env.LOGIN_THROTTLE_USERNAME_LIMIT;
    this.adminUsername = env.ADMIN_USERNAME;
    this.adminPassword = env.ADMIN_PASSWORD;
    this.overdueGraceSeconds = env.OVERDUE_GRACE_SECONDS;
    this.misfireCatchupMax = env.MISFIRE_CATCHUP_MAX;
    this.logLevel = env.LOG_LEVEL;
    this.queuePrefix = env.QUEUE_PREFIX;
    this.dispatchBatchSize = env.DISPATCH_BATCH_SIZE;
    this.dispatchLookaheadMs = env.DISPATCH_LOOKAHEAD_MS;
    this.dispatchPollSeconds = env.DISPATCH_POLL_SECONDS;
    this.workerLockSeconds = env.WORKER_LOCK_SECONDS;
    this.recoveryIntervalSeconds = env.RECOVERY_INTERVAL_SECONDS;
    this.recoveryQueuedSeconds = env.RECOVERY_QUEUED_SECONDS;
    this.shutdownTimeoutSeconds = env.SHUTDOWN_TIMEOUT_SECONDS;
    this.embeddedRestartAttempts = env.EMBEDDED_PG_RESTART_ATTEMPTS;
    this.documentsDir = path.resolve(env.DOCUMENTS_DIR ?? path.join(this.dataDir, 'documents'));
    this.backupDir = path.resolve(env.BACKUP_DIR ?? path.join(this.dataDir, 'backups'));
    this.alertWebhookUrl = env.ALERT_WEBHOOK_URL;
    this.httpTaskAllowedHosts = env.HTTP_TASK_ALLOWED_HOSTS;
    this.httpTaskDeniedHosts = env.HTTP_TASK_DENIED_HOSTS;
    this.mcpServers = env.MCP_SERVERS ?? [];
    this.runRetentionDays = env.RUN_RETENTION_DAYS;
    this.runLogMaxLines = env.RUN_LOG_MAX_LINES;
    this.runLogMaxBytes = env.RUN_LOG_MAX_BYTES;
    this.smtpUrl = env.SMTP_URL;
    this.smtpFrom = env.SMTP_FROM;
    this.metricsToken = env.METRICS_TOKEN;
    this.corsOrigins = env.CORS_ORIGINS ?? [];
    this.secretsKey = env.SECRETS_KEY
      ? Buffer.from(env.SECRETS_KEY, /^[0-9a-fA-F]{64}$/.test(env.SECRETS_KEY) ? 'hex' : 'base64')
      : undefined;
  }

  /** Embedded mode: no DATABASE_URL, so this process uses (or starts) the PostgreSQL under DATA_DIR. */
  get embedded(): boolean {
    return this.databaseUrl === undefined;
  }

  hasRole(role: Role): boolean {
    return this.roles.has(role);
  }

  /** Validates an environment; throws ConfigError naming every bad variable. */
  static from(env: Record<string, string | undefined>, overrides: Partial<Env> = {}): AppConfig {
    const input: Record<string, unknown> = {};
    for (const key of Object.keys(envSchema.shape)) {
      const value = env[key];
      if (value !== undefined && value !== '') input[key] = value;
    }
    const parsed = envSchema.safeParse({ ...input, ...overrides });
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`);
      throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    }
    return new AppConfig(parsed.data);
  }

  static fromProcessEnv(overrides: Partial<Env> = {}): AppConfig {
    return AppConfig.from(process.env, overrides);
  }
}
