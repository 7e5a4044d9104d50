import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { UnauthorizedError } from '../../common/errors';

/** `GET /metrics` needs `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set (a token of its own, not a user's JWT). */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  constructor(config: AppConfig) {
    this.expected = config.metricsToken ? digest(config.metricsToken) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) return true;
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match && timingSafeEqual(digest(match[1]), this.expected)) return true;
    throw new UnauthorizedError('Send Authorization: Bearer <METRICS_TOKEN> to read the metrics');
  }
}

/** Equal-length digests, so the comparison takes the same time whatever was sent. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
