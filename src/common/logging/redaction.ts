/** JWT-shaped strings (three base64url parts, the first two starting with `eyJ`). */
const JWT = /eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
/** `Bearer <anything>` in free text. */
const BEARER = /(bearer\s+)[^\s"',;]+/gi;
/** `password=…`, `"password":"…"`, `token: …` and the like in free text. */
const SECRET_FIELD = /((?:password|passwd|secret|token|api[_-]?key)["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi;

export const REDACTED = '[REDACTED]';

/** Removes tokens and passwords from a free-text log message or URL. */
export function scrubText(text: string): string {
  return text.replace(JWT, REDACTED).replace(BEARER, `$1${REDACTED}`).replace(SECRET_FIELD, `$1${REDACTED}`);
}

/**
 * pino `redact` paths: request headers that carry credentials, and fields named like secrets
 * in anything logged as an object (up to two levels deep).
 */
const SECRET_KEYS = ['password', 'new_password', 'access_token', 'refresh_token', 'token', 'secret', 'jwt', 'jwtSecret', 'adminPassword', 'authorization'];
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
];
