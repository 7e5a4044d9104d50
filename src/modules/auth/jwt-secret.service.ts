import { Injectable, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { AppConfig, ConfigError } from '../../config/app-config';

/**
 * The HS256 secret: `JWT_SECRET`, or in embedded mode one generated once and kept in
 * `DATA_DIR/jwt-secret` (mode 600) so tokens survive restarts and the processes sharing
 * that directory agree. An external database without JWT_SECRET is refused: processes on
 * other machines could never agree on a generated secret.
 */
@Injectable()
export class JwtSecretService implements OnModuleInit {
  private secret: Promise<string> | undefined;

  constructor(private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    // Fail at start-up rather than at the first login; non-API processes never sign or verify.
    if (this.config.hasRole('api')) await this.get();
  }

  get(): Promise<string> {
    this.secret ??= this.resolve();
    return this.secret;
  }

  private async resolve(): Promise<string> {
    if (this.config.jwtSecret) return this.config.jwtSecret;
    if (!this.config.embedded) {
      throw new ConfigError(
        'JWT_SECRET: required when DATABASE_URL is set (an external database); set it to at least 32 random characters, the same in every API process',
      );
    }
    return this.readOrCreate(path.join(this.config.dataDir, 'jwt-secret'));
  }

  private async readOrCreate(file: string): Promise<string> {
    const existing = await fs.readFile(file, 'utf8').catch(() => undefined);
    if (existing && existing.trim().length >= 32) return existing.trim();
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const secret = randomBytes(48).toString('base64url');
    try {
      await fs.writeFile(file, secret + '\n', { mode: 0o600, flag: existing === undefined ? 'wx' : 'w' });
    } catch (error) {
      // Another process created it first: use theirs.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return (await fs.readFile(file, 'utf8')).trim();
      throw error;
    }
    await fs.chmod(file, 0o600);
    return secret;
  }
}
