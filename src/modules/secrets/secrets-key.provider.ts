import { Injectable } from '@nestjs/common';
import { hkdfSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { AppConfig } from '../../config/app-config';
import { SecretsKeyMissingError } from './secrets.errors';

const KEY_BYTES = 32;

/**
 * The AES-256 key of the secrets store: `SECRETS_KEY`, or in embedded mode one generated once
 * and kept in `DATA_DIR/secrets-key` (mode 600), so every process sharing that directory (API,
 * workers, the CLI) decrypts what the others encrypted. With an external database and no
 * SECRETS_KEY, a key derived from JWT_SECRET (HKDF-SHA256, its own label), which every process
 * of such a deployment already shares; rotating JWT_SECRET then makes the stored values
 * unreadable, so production sets SECRETS_KEY. With neither, the store is unavailable (503
 * SECRETS_KEY_MISSING; runs that reference a secret fail) and the rest of the service runs.
 */
@Injectable()
export class SecretsKeyProvider {
  private key: Promise<Buffer> | undefined;

  constructor(private readonly config: AppConfig) {}

  get(): Promise<Buffer> {
    this.key ??= this.resolve().catch((error: unknown) => {
      this.key = undefined;
      throw error;
    });
    return this.key;
  }

  private async resolve(): Promise<Buffer> {
    if (this.config.secretsKey) return this.config.secretsKey;
    if (this.config.embedded) return readOrCreate(path.join(this.config.dataDir, 'secrets-key'));
    if (this.config.jwtSecret)
      return Buffer.from(hkdfSync('sha256', this.config.jwtSecret, 'jobs-service', 'secrets-store-key v1', KEY_BYTES));
    throw new SecretsKeyMissingError();
  }
}

async function readOrCreate(file: string): Promise<Buffer> {
  const existing = await readKey(file);
  if (existing) return existing;
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  try {
    await fs.writeFile(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process created it first: use theirs (it may still be writing it).
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return waitForKey(file);
    throw error;
  }
  await fs.chmod(file, 0o600);
  return key;
}

async function readKey(file: string): Promise<Buffer | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length === KEY_BYTES) return key;
  // Never replace a key file silently: everything encrypted with it would be lost.
  if (text.trim().length > 0)
    throw new Error(`${file} does not hold a ${KEY_BYTES}-byte base64 key; restore it or set SECRETS_KEY`);
  return undefined;
}

async function waitForKey(file: string): Promise<Buffer> {
  for (let i = 0; i < 50; i++) {
    const key = await readKey(file);
    if (key) return key;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${file} stayed empty; remove it or set SECRETS_KEY`);
}
