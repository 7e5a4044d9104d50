import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '../../../src/common/actor';
import type { AuditEntry, AuditService } from '../../../src/modules/audit/audit.service';
import type { TokenHolder } from '../../../src/modules/auth/users.repository';
import type { UsersService } from '../../../src/modules/auth/users.service';

/** Hand-written fakes shared by the unit tests of services that own a transaction and audit. */

export const superuserActor: Actor = { kind: 'user', name: 'root', userId: 1, isSuperuser: true, ip: '203.0.113.7' };

/**
 * Runs each `transaction` callback at once on one marker EntityManager (`tx`), so a test can
 * check that the repositories and the audit were handed the same transaction.
 */
export class FakeDataSource {
  readonly tx = { fakeTransaction: true } as unknown as EntityManager;
  transactions = 0;

  async transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    this.transactions++;
    return work(this.tx);
  }

  asDataSource(): DataSource {
    return this as unknown as DataSource;
  }
}

/** Keeps every entry with the transaction it was recorded in. */
export class FakeAuditService implements Pick<AuditService, 'record'> {
  readonly recorded: { tx: EntityManager; entry: AuditEntry }[] = [];

  async record(tx: EntityManager, entry: AuditEntry): Promise<void> {
    this.recorded.push({ tx, entry });
  }

  get entries(): AuditEntry[] {
    return this.recorded.map((r) => r.entry);
  }

  asAuditService(): AuditService {
    return this as unknown as AuditService;
  }
}

/** What the pg driver throws through TypeORM, e.g. `23505` for a unique violation. */
export function queryFailed(code: string): QueryFailedError {
  return new QueryFailedError('INSERT …', [], Object.assign(new Error(`pg error ${code}`), { code }));
}

/** The per-request token lookup (user + revocation) that JwtStrategy makes, over a map of users. */
export class FakeTokenHolders implements Pick<UsersService, 'findTokenHolder'> {
  readonly holders = new Map<number, Omit<TokenHolder, 'revoked'>>();
  readonly revoked = new Set<string>();
  readonly lookups: [number, string][] = [];
  failure: Error | undefined;

  async findTokenHolder(id: number, jti: string): Promise<TokenHolder | null> {
    this.lookups.push([id, jti]);
    if (this.failure) throw this.failure;
    const holder = this.holders.get(id);
    return holder ? { ...holder, revoked: this.revoked.has(jti) } : null;
  }

  asUsersService(): UsersService {
    return this as unknown as UsersService;
  }
}
