import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { systemActor } from '../../common/actor';
import { AppConfig } from '../../config/app-config';
import { UsersService } from './users.service';

/**
 * The first superuser, when no user exists: from ADMIN_USERNAME/ADMIN_PASSWORD, or in
 * embedded mode with a generated password printed once on stdout (not through the logger,
 * so it never lands in log files or log shippers). Only API processes do this, so a CLI
 * run never swallows the one-time password.
 */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.hasRole('api') || (await this.users.count()) > 0) return;
    const username = this.config.adminUsername ?? 'admin';
    const actor = systemActor('bootstrap');
    if (this.config.adminPassword) {
      if (await this.users.createFirstSuperuser(username, this.config.adminPassword, actor)) {
        this.logger.log(`Created the first superuser "${username}" from ADMIN_USERNAME/ADMIN_PASSWORD`);
      }
      return;
    }
    if (!this.config.embedded) {
      this.logger.warn(
        'No user exists: set ADMIN_USERNAME and ADMIN_PASSWORD, or run ./manage users create NAME --superuser',
      );
      return;
    }
    const password = randomBytes(18).toString('base64url');
    if (!(await this.users.createFirstSuperuser(username, password, actor))) return;
    // On the terminal (stderr), never in the JSON log stream (stdout) that log shippers collect.
    process.stderr.write(
      [
        '',
        '  ┌─ FIRST START ──────────────────────────────────────────────────────────',
        '  │ First superuser created (this password is shown only once):',
        `  │   username: ${username}`,
        `  │   password: ${password}`,
        '  │ Log in with POST /api/v1/auth/login; create more users with POST /api/v1/users.',
        '  └────────────────────────────────────────────────────────────────────────',
        '',
        '',
      ].join('\n'),
    );
  }
}
