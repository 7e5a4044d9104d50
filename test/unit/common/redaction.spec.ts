import {
  isCredentialKey,
  keepRedacted,
  maskKnownSecrets,
  redactHeaders,
  redactString,
  redactValue,
  rememberSecretValues,
} from '../../../src/common/logging/redaction';

describe('redactValue (answers, audit entries, backups)', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOjEsInVzZXJuYW1lIjoiYWRtaW4ifQ.c2lnbmF0dXJlLXBhcnQ';

  it.each([
    'Authorization',
    'authorization',
    'Proxy-Authorization',
    'X-Access-Token',
    'X-Gitlab-Token',
    'X-Auth',
    'X-Auth-Key',
    'x-auth-user',
    'X-Hub-Signature',
    'X-Hub-Signature-256',
    'X-Api-Key',
    'Cookie',
    'Set-Cookie',
    'password',
    'PASSWORD',
    'new_password',
    'adminPassword',
    'passwd',
    'pass',
    'passphrase',
    'secret',
    'client_secret',
    'clientSecret',
    'token',
    'access_token',
    'refresh_token',
    'api_key',
    'apikey',
    'apiKey',
    'private_key',
    'privateKey',
    'aws_access_key_id',
    'credentials',
    'sig',
    'jwt',
  ])('treats %s as a credential key', (key) => {
    expect(isCredentialKey(key)).toBe(true);
    expect(redactValue({ [key]: 'value-1' })).toEqual({ [key]: '***' });
  });

  it.each([
    'url',
    'method',
    'body',
    'name',
    'X-Trace',
    'Content-Type',
    'X-Request-Id',
    'keep',
    'description',
    'bypass',
    'compass',
    'author',
    'signal',
    'key',
    'value',
  ])('leaves %s alone', (key) => {
    expect(isCredentialKey(key)).toBe(false);
    expect(redactValue({ [key]: 'plain' })).toEqual({ [key]: 'plain' });
  });

  it('redacts at any depth, in arrays, whatever the value under a credential key', () => {
    const input = {
      url: 'https://hooks.test/x',
      headers: { Authorization: 'Bearer abc', 'X-Trace': 'keep' },
      body: {
        users: [
          { name: 'a', password: 'p1' },
          { name: 'b', auth: { token: { nested: 1 } } },
        ],
      },
      retry: { secret: 42 },
      empty: { password: '', token: null },
    };
    expect(redactValue(input)).toEqual({
      url: 'https://hooks.test/x',
      headers: { Authorization: '***', 'X-Trace': 'keep' },
      body: {
        users: [
          { name: 'a', password: '***' },
          { name: 'b', auth: { token: '***' } },
        ],
      },
      retry: { secret: '***' },
      empty: { password: '', token: null },
    });
    expect(input.headers.Authorization).toBe('Bearer abc');
  });

  it('keeps secret references, also under credential keys', () => {
    const input = {
      headers: { Authorization: { $secret: 'hook_token' } },
      password: { $secret: 'db_pw' },
      list: [{ $secret: 'x' }],
    };
    expect(redactValue(input)).toEqual(input);
    // Not a reference (other keys): redacted like any credential.
    expect(redactValue({ token: { $secret: 'x', value: 'leak' } })).toEqual({ token: '***' });
  });

  it.each([
    ['https://api.test/hook?token=abc123&x=1', 'https://api.test/hook?token=***&x=1'],
    [
      'https://api.test/hook?access_token=abc&refresh_token=def',
      'https://api.test/hook?access_token=***&refresh_token=***',
    ],
    [
      'https://api.test/?api_key=k1&apikey=k2&key=k3&sig=s1&signature=s2',
      'https://api.test/?api_key=***&apikey=***&key=***&sig=***&signature=***',
    ],
    [
      'https://api.test/?password=p&secret=s&client_secret=c&X-Amz-Signature=abc&X-Amz-Credential=c2',
      'https://api.test/?password=***&secret=***&client_secret=***&X-Amz-Signature=***&X-Amz-Credential=***',
    ],
    ['https://api.test/?page=2&sort=name', 'https://api.test/?page=2&sort=name'],
    ['https://user:hunter2@db.test:5432/x', 'https://user:***@db.test:5432/x'],
    ['postgres://app:s3cr3t@db.internal/app?sslmode=require', 'postgres://app:***@db.internal/app?sslmode=require'],
    ['https://user@host.test/path', 'https://user@host.test/path'],
    [`a token ${jwt} in text`, 'a token *** in text'],
    ['Bearer abc.def-123', 'Bearer ***'],
    ['see https://x.test/cb?code=oauth-code#frag', 'see https://x.test/cb?code=***#frag'],
  ])('redacts credentials inside the string %j', (input, expected) => {
    expect(redactString(input)).toBe(expected);
    expect(redactValue({ url: input })).toEqual({ url: expected });
  });

  it('keeps Object.prototype-named keys as plain data', () => {
    const input = JSON.parse('{"__proto__": {"password": "x"}, "constructor": "c"}') as Record<string, unknown>;
    const out = redactValue(input);
    expect(Object.keys(out)).toEqual(['__proto__', 'constructor']);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"password":"***"},"constructor":"c"}');
  });
});

describe('redactHeaders (the request log line)', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.c2ln';
  it('redacts credential-named headers and JWTs or Bearer credentials in any header', () => {
    expect(
      redactHeaders({
        authorization: `Bearer ${jwt}`,
        'proxy-authorization': `Bearer ${jwt}`,
        'x-access-token': jwt,
        'x-request-id': jwt,
        'x-custom': `Bearer opaque-value`,
        'user-agent': 'curl/8',
        cookie: 'session=abc',
      }),
    ).toEqual({
      authorization: '***',
      'proxy-authorization': '***',
      'x-access-token': '***',
      'x-request-id': '***',
      'x-custom': 'Bearer ***',
      'user-agent': 'curl/8',
      cookie: '***',
    });
  });
});

describe('known secret values', () => {
  it('are masked in text once remembered, also JSON-escaped', () => {
    const value = `sv-${Math.random().toString(36).slice(2)}"q`;
    expect(maskKnownSecrets(`x ${value} y`)).toContain(value);
    rememberSecretValues([value]);
    expect(maskKnownSecrets(`x ${value} y`)).toBe('x *** y');
    expect(maskKnownSecrets(JSON.stringify({ msg: `has ${value}` }))).toBe('{"msg":"has ***"}');
    expect(redactValue({ result: { body: `echo ${value}` } })).toEqual({ result: { body: 'echo ***' } });
  });
});

describe('credentials in JSON kept as text (an http.request result body)', () => {
  it('redacts "key": "value" pairs under credential keys', () => {
    const body = JSON.stringify({
      headers: { 'x-hub-signature': 'sha1=abc', 'x-trace': 'keep', authorization: 'Basic dXNlcjpwYXNz' },
      password: 'p\\"w',
    });
    expect(JSON.parse(redactString(body))).toEqual({
      headers: { 'x-hub-signature': '***', 'x-trace': 'keep', authorization: '***' },
      password: '***',
    });
  });
});

describe('keys that are data, not names', () => {
  it('does not treat a key with spaces or quotes as a credential name', () => {
    const key = "' UNION SELECT password_hash, null FROM users --";
    expect(redactValue({ [key]: key })).toEqual({ [key]: key });
  });
});

describe('cost on hostile input (a superuser-made job read by everyone)', () => {
  // The bound is the point: a regex with nested quantifiers would take minutes on these.
  it.each([
    ['eyJ repeated', 'eyJ'.repeat(350_000)],
    ['eyJ parts without the last dot', `eyJ${'a'.repeat(500_000)}.eyJ${'b'.repeat(500_000)}`],
    ['a query of token names', `?${'token'.repeat(200_000)}`],
    ['scheme-like text', 'a://'.repeat(250_000)],
    ['userinfo without @', `https://${'u'.repeat(500_000)}:${'p'.repeat(500_000)}`],
    ['quotes and colons', '"a":"'.repeat(200_000)],
    ['bearer words', 'bearer '.repeat(150_000)],
  ])('redacts 1 MB of %s in well under a few seconds', (_label, text) => {
    const started = process.hrtime.bigint();
    redactValue({ url: text, password: text, nested: [text] });
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(3000);
  });
});

describe('keepRedacted (a job read and sent back)', () => {
  it('takes the stored value where "***" comes back under a credential key, and nothing else', () => {
    const stored = {
      url: 'https://x.test',
      headers: { Authorization: 'Bearer real', 'X-Trace': 'a' },
      list: [{ password: 'p0' }],
      token: { $secret: 'n' },
    };
    const sent = {
      url: 'https://y.test',
      headers: { Authorization: '***', 'X-Trace': '***' },
      list: [{ password: '***' }, { password: '***' }],
      token: '***',
      extra: { api_key: '***' },
    };
    expect(keepRedacted(sent, stored)).toEqual({
      url: 'https://y.test',
      headers: { Authorization: 'Bearer real', 'X-Trace': '***' },
      list: [{ password: 'p0' }, { password: '***' }],
      token: { $secret: 'n' },
      extra: { api_key: '***' },
    });
  });
});
