import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import type { PageRequest } from '../../common/pagination';
import { User } from './user.entity';

export interface TokenHolder {
  id: number;
  username: string;
  isSuperuser: boolean;
  isActive: boolean;
  tokenVersion: number;
  revoked: boolean;
}

/** What a superuser may change of a user (the password as its new hash). */
export interface UserChanges {
  passwordHash?: string;
  isSuperuser?: boolean;
  isActive?: boolean;
}

/** Arbitrary constant: serialises the first-superuser bootstrap across processes. */
const BOOTSTRAP_LOCK = 727_002;
/** Arbitrary constant: serialises changes that could leave no active superuser. */
const SUPERUSERS_LOCK = 727_003;

/**
 * SQL for users. Every update or delete of a user (and every revoked token) sends NOTIFY
 * users_changed with its id on commit, by trigger (migration UsersChangedNotify), however it is
 * made: every process drops what it cached of that user (TokenHolderCache).
 */
@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  private repo(tx?: EntityManager): Repository<User> {
    return tx ? tx.getRepository(User) : this.users;
  }

  findById(id: number, tx?: EntityManager): Promise<User | null> {
    return this.repo(tx).findOneBy({ id });
  }

  /** Usernames match regardless of case (a unique index on lower(username) serves it). */
  findByUsername(username: string, tx?: EntityManager): Promise<User | null> {
    return this.repo(tx).createQueryBuilder('u').where('lower(u.username) = lower(:username)', { username }).getOne();
  }

  /** The token's user and whether the token id was revoked, in one query (every authenticated request). */
  async findTokenHolder(id: number, jti: string): Promise<TokenHolder | null> {
    const rows = await this.users.query<TokenHolder[]>(
      `SELECT u.id, u.username, u.is_superuser AS "isSuperuser", u.is_active AS "isActive", u.token_version AS "tokenVersion",
              EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.jti = $2) AS revoked
         FROM users u WHERE u.id = $1`,
      [id, jti],
    );
    return rows[0] ?? null;
  }

  /** Sets the hash and raises token_version (revoking every token issued before); the new version. */
  async updatePassword(id: number, passwordHash: string, tx: EntityManager): Promise<number> {
    const [rows] = await tx.query<[{ token_version: number }[], number]>(
      `UPDATE users SET password_hash = $2, token_version = token_version + 1 WHERE id = $1 RETURNING token_version`,
      [id, passwordHash],
    );
    return rows[0].token_version;
  }

  /** The user, locked until the transaction ends. */
  findByIdForUpdate(id: number, tx: EntityManager): Promise<User | null> {
    return tx.getRepository(User).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /**
   * Applies `changes`; a new password also raises token_version, revoking every token issued
   * before. Returns the user as it is now.
   */
  async update(id: number, changes: UserChanges, tx: EntityManager): Promise<User> {
    const set: Partial<User> = {};
    if (changes.isSuperuser !== undefined) set.isSuperuser = changes.isSuperuser;
    if (changes.isActive !== undefined) set.isActive = changes.isActive;
    if (changes.passwordHash !== undefined) set.passwordHash = changes.passwordHash;
    const repo = tx.getRepository(User);
    if (Object.keys(set).length > 0) await repo.update({ id }, set);
    if (changes.passwordHash !== undefined) await repo.increment({ id }, 'tokenVersion', 1);
    return (await repo.findOneBy({ id }))!;
  }

  /** Deletes the user and its revoked-token entries (its tokens then name no user). */
  async delete(id: number, tx: EntityManager): Promise<void> {
    await tx.query(`DELETE FROM revoked_tokens WHERE user_id = $1`, [id]);
    await tx.getRepository(User).delete({ id });
  }

  /** Active superusers other than `exceptId`, counted under SUPERUSERS_LOCK (held until the transaction ends). */
  async otherActiveSuperusers(exceptId: number, tx: EntityManager): Promise<number> {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [SUPERUSERS_LOCK]);
    const rows: { n: number }[] = await tx.query(
      `SELECT count(*)::int AS n FROM users WHERE is_superuser AND is_active AND id <> $1`,
      [exceptId],
    );
    return rows[0].n;
  }

  count(tx?: EntityManager): Promise<number> {
    return this.repo(tx).count();
  }

  list(page: PageRequest): Promise<[User[], number]> {
    return this.users.findAndCount({ order: { id: 'ASC' }, skip: (page.page - 1) * page.size, take: page.size });
  }

  insert(user: Pick<User, 'username' | 'passwordHash' | 'isSuperuser'>, tx: EntityManager): Promise<User> {
    const repo = tx.getRepository(User);
    return repo.save(repo.create(user));
  }

  /** Held until the transaction ends, so processes starting together create one first user. */
  async lockForBootstrap(tx: EntityManager): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK]);
  }
}
