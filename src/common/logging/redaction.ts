/**
 * The one redaction of credentials, used for answers, audit entries, backups and log lines.
 * Three layers: values under credential-named keys (any depth), credentials inside strings
 * (URL query parameters, URL passwords, JWTs, `Bearer …`), and the values of secrets this
 * process resolved (`maskKnownSecrets`). A `{"$secret": "NAME"}` reference is not a credential
 * and is kept.
 */
export const REDACTED = '***';

/**
 * Keys whose values are credentials (case-insensitive): auth headers of any name
 * (`Authorization`, `Proxy-Authorization`, `X-*-Token`, `X-Auth*`, `X-*-Signature`, `X-Api-Key`,
 * cookies), passwords, secrets, tokens, API and private keys.
 */
const CREDENTIAL_KEY =
  /passw(?:or)?d|passphrase|^pass$|secret|token|authori[sz]ation|api[-_]?key|access[-_]?key|private[-_]?key|cookie|credential|signature|^x-auth|^sig$|^jwt$/i;

/** Query parameters (in URLs inside strings) that carry credentials. */
const CREDENTIAL_PARAM =
  /([?&;](?:[A-Za-z0-9_.-]{0,60}(?:token|secret|passw(?:or)?d|api[-_]?key|apikey|signature|credential)[A-Za-z0-9_.-]{0,60}|key|sig|pass|auth|code|jwt)=)[^&#\s"'<>]*/gi;
/** `scheme://user:password@host`: the password part. */
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]{0,30}:\/\/[^/\s:@"'<>]{0,200}:)[^/\s@"'<>]{0,1000}(@)/gi;
/** `"key": "value"` inside text (a JSON body kept as a string, e.g. an http.request result). */
const JSON_STRING_FIELD = /"((?:[^"\\]|\\.){1,100})"(\s*:\s*)"(?:[^"\\]|\\.)*"/g;
/** JWT-shaped strings (three base64url parts, the first two starting with `eyJ`). */
const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
/** `Bearer <anything>` / `Basic <anything>` in free text. */
const AUTH_SCHEME = /(\b(?:bearer|basic)\s+)(?!\*\*\*)[^\s"',;]+/gi;
/** `password=…`, `"password":"…"`, `token: …` and the like in free text (log messages). */
const SECRET_FIELD = /((?:password|passwd|secret|token|api[_-]?key)["']?\s*[:=]\s*["']?)(?!\*\*\*)[^\s"',;&]+/gi;

/** Names of fields, headers and parameters: a key with spaces or quotes is data, not a credential's name. */
const NAME_LIKE = /^[^\s"'`]{1,200}$/;

export function isCredentialKey(key: string): boolean {
  return NAME_LIKE.test(key) && CREDENTIAL_KEY.test(key);
}

/** `{"$secret": "NAME"}`: a reference to a stored secret (resolved only by the worker). */
export function isSecretReference(value: unknown): value is { $secret: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === '$secret' && typeof (value as { $secret: unknown }).$secret === 'string';
}

/**
 * What every pattern above needs at least one of (`"`, `=`, `@`, `eyJ`, bearer/basic): a string
 * with none of them skips the five replacements (most strings in answers: names, statuses).
 */
const MAY_HOLD_CREDENTIAL = /["=@]|eyJ|bearer|basic/i;

/** Credentials inside one string: URL query credentials and passwords, JWTs, `Bearer …`. */
export function redactString(text: string): string {
  if (!MAY_HOLD_CREDENTIAL.test(text)) return maskKnownSecrets(text);
  return maskKnownSecrets(
    text
      .replace(JSON_STRING_FIELD, (field: string, key: string, colon: string) =>
        isCredentialKey(key) && !field.endsWith(`"${REDACTED}"`) ? `"${key}"${colon}"${REDACTED}"` : field,
      )
      .replace(URL_USERINFO, `$1${REDACTED}$2`)
      .replace(CREDENTIAL_PARAM, `$1${REDACTED}`)
      .replace(JWT, REDACTED)
      .replace(AUTH_SCHEME, `$1${REDACTED}`),
  );
}

/** Removes tokens and passwords from a free-text log message or URL. */
export function scrubText(text: string): string {
  return redactString(text).replace(SECRET_FIELD, `$1${REDACTED}`);
}

/**
 * A copy of `value` with every credential shown as `"***"`: values under credential-named keys
 * (at any depth; a secret reference there is kept), and credentials inside every string.
 */
export function redactValue<T>(value: T): T {
  return redactAny(value) as T;
}

function redactAny(value: unknown): unknown {
  if (typeof value === 'string') return redactString(value);
  if (Array.isArray(value)) return value.map(redactAny);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  if (isSecretReference(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    Object.defineProperty(out, key, {
      value: isCredentialKey(key) ? redactCredential(v) : redactAny(v),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** What a credential-named key shows: `"***"`, except for nothing (null, "") and references. */
function redactCredential(value: unknown): unknown {
  if (value === null || value === undefined || value === '') return value;
  if (isSecretReference(value)) return value;
  return REDACTED;
}

/**
 * `next` with every `"***"` under a credential-named key replaced by what `previous` holds at the
 * same place: a client that reads a job (credentials shown as "***") and sends it back keeps the
 * stored credentials instead of overwriting them with "***".
 */
export function keepRedacted<T>(next: T, previous: unknown): T {
  return keepAt(next, previous) as T;
}

function keepAt(next: unknown, previous: unknown): unknown {
  if (next === null || typeof next !== 'object' || previous === null || typeof previous !== 'object') return next;
  if (Array.isArray(next)) return Array.isArray(previous) ? next.map((item, i) => keepAt(item, previous[i])) : next;
  if (Array.isArray(previous) || isSecretReference(next)) return next;
  const before = previous as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next)) {
    const had = Object.prototype.hasOwnProperty.call(before, key) ? before[key] : undefined;
    const kept =
      value === REDACTED && isCredentialKey(key) && had !== undefined && had !== null ? had : keepAt(value, had);
    Object.defineProperty(out, key, { value: kept, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** HTTP headers as a request log line shows them: credential-named ones redacted, JWTs and `Bearer …` scrubbed in all. */
export function redactHeaders(headers: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!headers) return headers;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = isCredentialKey(name) ? redactCredential(value) : redactAny(value);
  }
  return out;
}

export function looksLikeJwt(text: string): boolean {
  JWT.lastIndex = 0;
  const found = JWT.test(text);
  JWT.lastIndex = 0;
  return found;
}

/*
 * The values of the secrets this process resolved for a run (the worker registers them): they
 * are masked in every log line and every redacted value this process produces afterwards.
 * Longest first, so a secret containing another is masked whole.
 */
const knownSecretValues = new Set<string>();
let knownSorted: string[] = [];

export function rememberSecretValues(values: Iterable<string>): void {
  let added = false;
  for (const value of values) {
    if (!value || knownSecretValues.has(value)) continue;
    knownSecretValues.add(value);
    added = true;
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) knownSecretValues.add(escaped);
  }
  if (added) knownSorted = [...knownSecretValues].sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of a known secret value (also in its JSON-escaped form). */
export function maskKnownSecrets(text: string, values: readonly string[] = knownSorted): string {
  let out = text;
  for (const value of values) if (out.includes(value)) out = out.split(value).join(REDACTED);
  return out;
}

/**
 * pino `redact` paths: fields named like secrets in anything logged as an object (up to two
 * levels deep). Request headers are redacted by the request serializer (`redactHeaders`).
 */
const SECRET_KEYS = [
  'password',
  'new_password',
  'current_password',
  'access_token',
  'refresh_token',
  'token',
  'secret',
  'jwt',
  'jwtSecret',
  'adminPassword',
  'authorization',
];
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
];
