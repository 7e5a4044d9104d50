/** The `code` of the 503 answered while the database cannot be reached. */
export const DATABASE_UNAVAILABLE = 'DATABASE_UNAVAILABLE';
/** Seconds a client is asked to wait (Retry-After) before trying again. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Socket errors of a connection to the database that cannot be made or was lost. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);
/**
 * SQLSTATEs of a server that is away: class 08 (connection exception), 57P01–57P03
 * (admin/crash shutdown, cannot connect now: starting up or in recovery), 53300 (too many connections).
 */
const SQLSTATES = /^(08\d\d\d|57P0[123]|53300)$/;
/** What node-postgres and pg-pool say when the server goes away or cannot be reached in time. */
const MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection refused)/;

/**
 * Whether `error` (or what it wraps: TypeORM's driverError, a cause, an AggregateError's
 * errors) says the database cannot be reached right now, as opposed to a fault in the query.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const e = error as {
    code?: unknown;
    syscall?: unknown;
    message?: unknown;
    driverError?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof e.code === 'string') {
    if (NETWORK_CODES.has(e.code) && typeof e.syscall === 'string') return true;
    if (SQLSTATES.test(e.code)) return true;
  }
  if (typeof e.message === 'string' && MESSAGES.test(e.message)) return true;
  const inner = [e.driverError, e.cause, ...(Array.isArray(e.errors) ? (e.errors as unknown[]) : [])];
  return inner.some((i) => i !== error && isDatabaseUnavailable(i, depth + 1));
}
