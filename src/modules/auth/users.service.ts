import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import type { Actor } from '../../common/actor';
import { ValidationFailedError } from '../../common/errors';
import { toPage, type Page, type PageRequest } from '../../common/pagination';
import { AuditService } from '../audit/audit.service';
import { UserResponseDto } from './dto/user.dto';
import { passwordWeakness } from './password-strength';
import type { User } from './user.entity';
import { TokenHolderCache } from './token-holder-cache';
import { UsersRepository, type TokenHolder } from './users.repository';
import { LastSuperuserError, UserNotFoundError, UsernameTakenError } from './auth.errors';

export interface NewUser {
  username: string;
  password: string;
  isSuperuser: boolean;
}

/** What PUT /users/{id} may change. */
export interface UserUpdate {
  password?: string;
  isSuperuser?: boolean;
  isActive?: boolean;
}

/** Users and their passwords (argon2id). Transport-neutral: the API and the CLI call it. */
@Injectable()
export class UsersService {
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly audit: AuditService,
    private readonly holders: TokenHolderCache,
  ) {}

  async create(input: NewUser, actor: Actor): Promise<UserResponseDto> {
    assertStrongPassword('password', input.password, input.username);
    const passwordHash = await argon2.hash(input.password, { type: argon2.argon2id });
    try {
      return await this.dataSource.transaction(async (tx) =>
        UserResponseDto.from(await this.insert(input, passwordHash, actor, tx)),
      );
    } catch (error) {
      // A concurrent create of the same name loses on the unique index.
      if (error instanceof QueryFailedError && (error.driverError as { code?: string })?.code === '23505')
        throw duplicate(input.username);
      throw error;
    }
  }

  /** Creates the first superuser unless any user exists; true when it did. */
  async createFirstSuperuser(username: string, password: string, actor: Actor): Promise<boolean> {
    const passwordHash = await argon2.hash(password, { type: argon2.argon2id });
    return this.dataSource.transaction(async (tx) => {
      await this.users.lockForBootstrap(tx);
      if ((await this.users.count(tx)) > 0) return false;
      await this.insert({ username, password, isSuperuser: true }, passwordHash, actor, tx);
      return true;
    });
  }

  async count(): Promise<number> {
    return this.users.count();
  }

  async list(page: PageRequest): Promise<Page<UserResponseDto>> {
    const [items, total] = await this.users.list(page);
    return toPage(
      items.map((item) => UserResponseDto.from(item)),
      total,
      page,
    );
  }

  async get(id: number): Promise<UserResponseDto> {
    const user = await this.users.findById(id);
    if (!user) throw new UserNotFoundError(id);
    return UserResponseDto.from(user);
  }

  /**
   * Changes a user's password, superuser right or active flag (a superuser's action), audited.
   * A new password revokes the user's tokens; a demoted or deactivated user's next request, in
   * any process, already sees the change (tokens are checked against the user on every request).
   * Demoting or deactivating the last active superuser → 409, decided under a lock so that two
   * such changes at once cannot both pass.
   */
  async update(id: number, input: UserUpdate, actor: Actor): Promise<UserResponseDto> {
    if (input.password === undefined && input.isSuperuser === undefined && input.isActive === undefined)
      throw ValidationFailedError.forField('body', 'give at least one of password, is_superuser, is_active');
    const before = await this.users.findById(id);
    if (!before) throw new UserNotFoundError(id);
    if (input.password !== undefined) assertStrongPassword('password', input.password, before.username);
    const passwordHash =
      input.password === undefined ? undefined : await argon2.hash(input.password, { type: argon2.argon2id });
    const updated = await this.dataSource.transaction(async (tx) => {
      const user = await this.users.findByIdForUpdate(id, tx);
      if (!user) throw new UserNotFoundError(id);
      const losesRights =
        user.isSuperuser && user.isActive && (input.isSuperuser === false || input.isActive === false);
      if (losesRights && (await this.users.otherActiveSuperusers(id, tx)) === 0)
        throw new LastSuperuserError(user.username, input.isSuperuser === false ? 'demoted' : 'deactivated');
      const after = await this.users.update(
        id,
        { passwordHash, isSuperuser: input.isSuperuser, isActive: input.isActive },
        tx,
      );
      const changes: Record<string, { before: unknown; after: unknown }> = {};
      if (after.isSuperuser !== user.isSuperuser)
        changes.is_superuser = { before: user.isSuperuser, after: after.isSuperuser };
      if (after.isActive !== user.isActive) changes.is_active = { before: user.isActive, after: after.isActive };
      if (passwordHash !== undefined) changes.password = { before: '***', after: '***' };
      await this.audit.record(tx, { actor, action: 'user.update', entityType: 'user', entityId: id, changes });
      return UserResponseDto.from(after);
    });
    this.holders.forgetUser(id);
    return updated;
  }

  /** Deletes a user (audited); its tokens stop working at once. The last active superuser → 409. */
  async delete(id: number, actor: Actor): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const user = await this.users.findByIdForUpdate(id, tx);
      if (!user) throw new UserNotFoundError(id);
      if (user.isSuperuser && user.isActive && (await this.users.otherActiveSuperusers(id, tx)) === 0)
        throw new LastSuperuserError(user.username, 'deleted');
      await this.users.delete(id, tx);
      await this.audit.record(tx, {
        actor,
        action: 'user.delete',
        entityType: 'user',
        entityId: id,
        changes: {
          username: { before: user.username, after: null },
          is_superuser: { before: user.isSuperuser, after: null },
        },
      });
    });
    this.holders.forgetUser(id);
  }

  /** The user with this name (regardless of case), or null. */
  async getByUsername(username: string): Promise<UserResponseDto | null> {
    const user = await this.users.findByUsername(username);
    return user ? UserResponseDto.from(user) : null;
  }

  findById(id: number): Promise<User | null> {
    return this.users.findById(id);
  }

  /** Every authenticated request: the token's user and whether the token was revoked (cached per process, see TokenHolderCache). */
  findTokenHolder(id: number, jti: string): Promise<TokenHolder | null> {
    return this.holders.get(id, jti);
  }

  /**
   * Changes a user's own password (the current one must match) and raises their token
   * version, so every token issued before stops working in every process. Returns the new
   * version, for the fresh token the caller is given.
   */
  async changePassword(
    userId: number,
    currentPassword: string,
    newPassword: string,
    actor: Actor,
  ): Promise<{ user: User; tokenVersion: number }> {
    const user = await this.users.findById(userId);
    if (!user) throw new UserNotFoundError(userId);
    if (!(await argon2.verify(user.passwordHash, currentPassword).catch(() => false))) {
      throw ValidationFailedError.forField('current_password', 'does not match your password');
    }
    assertStrongPassword('new_password', newPassword, user.username);
    const passwordHash = await argon2.hash(newPassword, { type: argon2.argon2id });
    const tokenVersion = await this.dataSource.transaction(async (tx) => {
      const version = await this.users.updatePassword(user.id, passwordHash, tx);
      await this.audit.record(tx, {
        actor,
        action: 'user.password_change',
        entityType: 'user',
        entityId: user.id,
      });
      return version;
    });
    this.holders.forgetUser(user.id);
    return { user, tokenVersion };
  }

  /** After a change to the user's tokens committed elsewhere (logout): this process forgets what it cached at once. */
  forgetTokenHolders(userId: number): void {
    this.holders.forgetUser(userId);
  }

  /**
   * The user when the password matches, else null. An unknown name still costs one argon2
   * verification, so response times do not reveal which usernames exist.
   */
  async verifyCredentials(username: string, password: string): Promise<{ user: User | null; known: User | null }> {
    const user = await this.users.findByUsername(username);
    if (!user) {
      this.dummyHash ??= argon2.hash('not-a-real-password', { type: argon2.argon2id });
      await argon2.verify(await this.dummyHash, password).catch(() => false);
      return { user: null, known: null };
    }
    const ok = await argon2.verify(user.passwordHash, password).catch(() => false);
    return { user: ok ? user : null, known: user };
  }

  private async insert(input: NewUser, passwordHash: string, actor: Actor, tx: EntityManager): Promise<User> {
    const existing = await this.users.findByUsername(input.username, tx);
    if (existing) throw duplicate(input.username, existing.username);
    const user = await this.users.insert(
      { username: input.username, passwordHash, isSuperuser: input.isSuperuser },
      tx,
    );
    await this.audit.record(tx, {
      actor,
      action: 'user.create',
      entityType: 'user',
      entityId: user.id,
      changes: {
        username: { before: null, after: user.username },
        is_superuser: { before: null, after: user.isSuperuser },
      },
    });
    return user;
  }
}

/** 400 naming the field, with the estimator's reason. */
function assertStrongPassword(field: string, password: string, username: string): void {
  const weakness = passwordWeakness(password, [username]);
  if (weakness) throw ValidationFailedError.forField(field, weakness);
}

function duplicate(username: string, existing = username): UsernameTakenError {
  return new UsernameTakenError(username, existing);
}
