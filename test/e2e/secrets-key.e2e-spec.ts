import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AppConfig } from '../../src/config/app-config';
import { SecretsKeyProvider } from '../../src/modules/secrets/secrets-key.provider';
import { SecretsService } from '../../src/modules/secrets/secrets.service';
import { createTestApp, type TestApp } from '../support/test-app';

const pretendEmbedded = (dataDir: string) => (config: AppConfig) => {
  Object.defineProperty(config, 'embedded', { get: () => true });
  Object.defineProperty(config, 'dataDir', { value: dataDir });
};

/**
 * Where the secrets store's key comes from: SECRETS_KEY, or (embedded mode) a key generated once
 * under DATA_DIR with mode 0600 that every process sharing the directory uses; with an external
 * database, one derived from JWT_SECRET; with neither, the store answers 503.
 */
describe('The secrets store key', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-key-'));
  const apps: TestApp[] = [];
  let first: TestApp;

  beforeAll(async () => {
    first = await createTestApp('secrets_key', { SECRETS_KEY: undefined }, { configure: pretendEmbedded(dataDir) });
    apps.push(first);
  });
  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is generated once under DATA_DIR (0600) in embedded mode and shared by every process using that directory', async () => {
    const value = `shared-${randomBytes(12).toString('hex')}`;
    await first.http.post('/api/v1/secrets').send({ name: 'shared_one', value }).expect(201);
    const file = path.join(dataDir, 'secrets-key');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32);
    const keyBefore = fs.readFileSync(file, 'utf8');

    const second = await createTestApp(
      'secrets_key_2',
      { SECRETS_KEY: undefined },
      { configure: pretendEmbedded(dataDir), database: first.db },
    );
    apps.push(second);
    expect((await second.app.get(SecretsService).reveal(['shared_one'])).values.get('shared_one')).toBe(value);
    await second.http
      .put('/api/v1/secrets/shared_one')
      .send({ value: `${value}-2` })
      .expect(200);
    expect((await first.app.get(SecretsService).reveal(['shared_one'])).values.get('shared_one')).toBe(`${value}-2`);
    expect(fs.readFileSync(file, 'utf8')).toBe(keyBefore);
  });

  it('with an external database and no SECRETS_KEY: a key derived from JWT_SECRET, shared by every process that has it', async () => {
    const jwtSecret = randomBytes(32).toString('hex');
    const external = await createTestApp(
      'secrets_key_3',
      { SECRETS_KEY: undefined, JWT_SECRET: jwtSecret },
      { database: first.db },
    );
    apps.push(external);
    const value = `derived-${randomBytes(12).toString('hex')}`;
    await external.http.post('/api/v1/secrets').send({ name: 'derived_one', value }).expect(201);
    const sibling = await createTestApp(
      'secrets_key_3b',
      { SECRETS_KEY: undefined, JWT_SECRET: jwtSecret },
      { database: first.db },
    );
    apps.push(sibling);
    expect((await sibling.app.get(SecretsService).reveal(['derived_one'])).values.get('derived_one')).toBe(value);
    const rotated = await createTestApp(
      'secrets_key_3c',
      { SECRETS_KEY: undefined, JWT_SECRET: randomBytes(32).toString('hex') },
      { database: first.db },
    );
    apps.push(rotated);
    await expect(rotated.app.get(SecretsService).reveal(['derived_one'])).rejects.toThrow(
      /cannot be decrypted: it was stored with another key/,
    );
  });

  it('with an external database and neither SECRETS_KEY nor JWT_SECRET (a worker-only process): SECRETS_KEY_MISSING, naming the variable', async () => {
    const provider = new SecretsKeyProvider(AppConfig.from({}, { DATABASE_URL: first.db.url, ROLES: 'worker' }));
    await expect(provider.get()).rejects.toMatchObject({ errorCode: 'SECRETS_KEY_MISSING' });
    await expect(provider.get()).rejects.toThrow(/SECRETS_KEY/);
  });

  it('another key cannot decrypt: the value is authenticated AES-256-GCM', async () => {
    const other = await createTestApp(
      'secrets_key_4',
      { SECRETS_KEY: randomBytes(32).toString('hex') },
      { database: first.db },
    );
    apps.push(other);
    await expect(other.app.get(SecretsService).reveal(['shared_one'])).rejects.toThrow(
      /cannot be decrypted: it was stored with another key/,
    );
  });

  it.each(['too-short', randomBytes(31).toString('base64'), randomBytes(33).toString('hex'), 'g'.repeat(64)])(
    'refuses SECRETS_KEY=%s (not 32 bytes), naming the variable',
    (key) => {
      expect(() => AppConfig.from({ SECRETS_KEY: key })).toThrow(/SECRETS_KEY: must be a 32-byte key/);
    },
  );

  it.each([randomBytes(32).toString('hex'), randomBytes(32).toString('base64'), randomBytes(32).toString('base64url')])(
    'accepts SECRETS_KEY=%s',
    (key) => {
      expect(AppConfig.from({ SECRETS_KEY: key }).secretsKey).toHaveLength(32);
    },
  );
});
