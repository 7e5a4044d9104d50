import { AppConfig } from '../../src/config/app-config';
import { createTestApp, type TestApp } from '../support/test-app';

const ALLOWED = 'https://app.example.com';
const OTHER = 'https://evil.example.net';

function preflight(t: TestApp, origin: string) {
  return t.anon
    .options('/api/v1/jobs')
    .set('Origin', origin)
    .set('Access-Control-Request-Method', 'POST')
    .set('Access-Control-Request-Headers', 'authorization,content-type');
}

describe('CORS (CORS_ORIGINS)', () => {
  describe('with CORS_ORIGINS set', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(
        'cors_on',
        { ROLES: 'api', CORS_ORIGINS: `${ALLOWED}, http://localhost:5173` },
        {
          withoutUsers: true,
        },
      );
    });
    afterAll(async () => {
      await t?.close();
    });

    it('answers a preflight from an allowed origin with 204 and the CORS headers, without a token', async () => {
      const res = await preflight(t, ALLOWED).expect(204);
      expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(res.headers['access-control-allow-methods']).toMatch(/POST/);
      expect(res.headers['access-control-allow-headers']).toBe('authorization,content-type,x-request-id');
      expect(res.headers['access-control-max-age']).toBe('600');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it('lets the page read an answer and its x-request-id', async () => {
      const res = await t.anon.get('/health').set('Origin', 'http://localhost:5173').expect(200);
      expect(res.headers['access-control-allow-origin']).toBe('http://localhost:5173');
      expect(res.headers['access-control-expose-headers']).toBe('x-request-id');
    });

    it('gives a disallowed origin no Access-Control-Allow-Origin (the browser refuses), and no 500', async () => {
      const res = await preflight(t, OTHER);
      expect(res.status).toBeLessThan(500);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const get = await t.anon.get('/health').set('Origin', OTHER).expect(200);
      expect(get.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('without CORS_ORIGINS (the default)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp('cors_off', { ROLES: 'api' }, { withoutUsers: true });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('sends no CORS headers, to a preflight or a request, and never a 500', async () => {
      const res = await preflight(t, ALLOWED);
      expect(res.status).toBeLessThan(500);
      expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
      const get = await t.anon.get('/health').set('Origin', ALLOWED).expect(200);
      expect(Object.keys(get.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    });
  });

  it('refuses a CORS_ORIGINS entry that is not an origin, naming the variable', () => {
    const env = { DATABASE_URL: 'postgres://x@127.0.0.1:1/x' };
    for (const bad of [
      'app.example.com',
      'https://app.example.com/',
      'https://app.example.com/path',
      'ftp://x.example',
    ])
      expect(() => AppConfig.from({}, { ...env, CORS_ORIGINS: bad })).toThrow(/CORS_ORIGINS/);
    expect(AppConfig.from({}, { ...env, CORS_ORIGINS: '*' }).corsOrigins).toEqual(['*']);
    expect(
      AppConfig.from({}, { ...env, CORS_ORIGINS: 'https://a.example.com:8443,http://localhost:5173' }).corsOrigins,
    ).toEqual(['https://a.example.com:8443', 'http://localhost:5173']);
    expect(AppConfig.from({}, env).corsOrigins).toEqual([]);
  });
});
