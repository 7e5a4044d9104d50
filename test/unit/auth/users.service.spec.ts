import * as argon2 from 'argon2';
import type { EntityManager } from 'typeorm';
import { ValidationFailedError } from '../../../src/common/errors';
import type { PageRequest } from '../../../src/common/pagination';
import { LastSuperuserError, UserNotFoundError, UsernameTakenError } from '../../../src/modules/auth/auth.errors';
import type { User } from '../../../src/modules/auth/user.entity';
import type { TokenHolder, UserChanges, UsersRepository } from '../../../src/modules/auth/users.repository';
import type { TokenHolderCache } from '../../../src/modules/auth/token-holder-cache';
import { UsersService } from '../../../src/modules/auth/users.service';
import { FakeAuditService, FakeDataSource, queryFailed, superuserActor } from '../support/fakes';

// At its production cost argon2 takes most of a second per hash on a 2-core machine: here the
// hashes are still real argon2id, made at the lowest cost (verify reads the cost from the hash).
jest.mock('argon2', () => {
  const actual = jest.requireActual<typeof import('argon2')>('argon2');
  return {
    ...actual,
    hash: (password: string, options: Parameters<typeof actual.hash>[1]) =>
      actual.hash(password, { ...options, memoryCost: 1024, timeCost: 2, parallelism: 1 }),
  };
});

const STRONG = 'quilt-harbor-pencil-orbit';
/** Strong on its own, weak for the user named kvorgatrenix. */
const NAME_BASED = 'Kvorgatrenix1990';
const CREATED_AT = new Date('2026-01-02T03:04:05Z');

type Call = { method: string; tx?: EntityManager };

/** In-memory users: names unique regardless of case, as the real unique index on lower(username). */
class FakeUsersRepository implements Omit<UsersRepository, 'users' | 'repo'> {
  readonly rows = new Map<number, User>();
  readonly calls: Call[] = [];
  /** Thrown by the next insert (a concurrent create winning the race). */
  insertFailure: Error | undefined;
  private nextId = 1;

  seed(user: Partial<User> & Pick<User, 'username' | 'passwordHash'>): User {
    const row = Object.assign(
      { id: this.nextId++, isSuperuser: false, isActive: true, tokenVersion: 0, createdAt: CREATED_AT } as User,
      user,
    );
    this.rows.set(row.id, row);
    return row;
  }

  async findById(id: number, tx?: EntityManager): Promise<User | null> {
    this.calls.push({ method: 'findById', tx });
    return this.rows.get(id) ?? null;
  }

  async findByUsername(username: string, tx?: EntityManager): Promise<User | null> {
    this.calls.push({ method: 'findByUsername', tx });
    return [...this.rows.values()].find((u) => u.username.toLowerCase() === username.toLowerCase()) ?? null;
  }

  async findTokenHolder(id: number): Promise<TokenHolder | null> {
    const user = this.rows.get(id);
    return user ? { ...user, revoked: false } : null;
  }

  async updatePassword(id: number, passwordHash: string, tx: EntityManager): Promise<number> {
    this.calls.push({ method: 'updatePassword', tx });
    const user = this.rows.get(id)!;
    user.passwordHash = passwordHash;
    user.tokenVersion += 1;
    return user.tokenVersion;
  }

  async findByIdForUpdate(id: number, tx: EntityManager): Promise<User | null> {
    this.calls.push({ method: 'findByIdForUpdate', tx });
    const user = this.rows.get(id);
    return user ? { ...user } : null;
  }

  async update(id: number, changes: UserChanges, tx: EntityManager): Promise<User> {
    this.calls.push({ method: 'update', tx });
    const user = this.rows.get(id)!;
    if (changes.isSuperuser !== undefined) user.isSuperuser = changes.isSuperuser;
    if (changes.isActive !== undefined) user.isActive = changes.isActive;
    if (changes.passwordHash !== undefined) {
      user.passwordHash = changes.passwordHash;
      user.tokenVersion += 1;
    }
    return { ...user };
  }

  async delete(id: number, tx: EntityManager): Promise<void> {
    this.calls.push({ method: 'delete', tx });
    this.rows.delete(id);
  }

  async otherActiveSuperusers(exceptId: number, tx: EntityManager): Promise<number> {
    this.calls.push({ method: 'otherActiveSuperusers', tx });
    return [...this.rows.values()].filter((u) => u.isSuperuser && u.isActive && u.id !== exceptId).length;
  }

  async count(tx?: EntityManager): Promise<number> {
    this.calls.push({ method: 'count', tx });
    return this.rows.size;
  }

  async list(page: PageRequest): Promise<[User[], number]> {
    const all = [...this.rows.values()];
    return [all.slice((page.page - 1) * page.size, page.page * page.size), all.length];
  }

  async insert(user: Pick<User, 'username' | 'passwordHash' | 'isSuperuser'>, tx: EntityManager): Promise<User> {
    this.calls.push({ method: 'insert', tx });
    if (this.insertFailure) throw this.insertFailure;
    return this.seed({ ...user });
  }

  async lockForBootstrap(tx: EntityManager): Promise<void> {
    this.calls.push({ method: 'lockForBootstrap', tx });
  }

  methods(): string[] {
    return this.calls.map((c) => c.method);
  }
}

describe(UsersService.name, () => {
  let repo: FakeUsersRepository;
  let audit: FakeAuditService;
  let dataSource: FakeDataSource;
  let service: UsersService;
  /** Users whose cached token holders the service dropped (after its commit). */
  let forgotten: number[];

  beforeEach(() => {
    forgotten = [];
    repo = new FakeUsersRepository();
    audit = new FakeAuditService();
    dataSource = new FakeDataSource();
    const holders = {
      get: (id: number) => repo.findTokenHolder(id),
      forgetUser: (id: number) => forgotten.push(id),
    } as unknown as TokenHolderCache;
    service = new UsersService(
      dataSource.asDataSource(),
      repo as unknown as UsersRepository,
      audit.asAuditService(),
      holders,
    );
  });

  describe('create', () => {
    it('stores an argon2id hash of the password, never the password, and answers without it', async () => {
      const created = await service.create({ username: 'alice', password: STRONG, isSuperuser: false }, superuserActor);

      expect(created).toEqual({
        id: 1,
        username: 'alice',
        is_superuser: false,
        is_active: true,
        created_at: CREATED_AT.toISOString(),
      });
      const stored = repo.rows.get(1)!;
      expect(stored.passwordHash).not.toContain(STRONG);
      expect(stored.passwordHash).toMatch(/^\$argon2id\$/);
      await expect(argon2.verify(stored.passwordHash, STRONG)).resolves.toBe(true);
      expect(JSON.stringify(created)).not.toContain(stored.passwordHash);
    });

    it('keeps the superuser flag it is given', async () => {
      const created = await service.create({ username: 'root2', password: STRONG, isSuperuser: true }, superuserActor);
      expect(created.is_superuser).toBe(true);
      expect(repo.rows.get(created.id)!.isSuperuser).toBe(true);
    });

    it('audits the creation in the same transaction as the insert, without the password', async () => {
      await service.create({ username: 'alice', password: STRONG, isSuperuser: true }, superuserActor);

      expect(dataSource.transactions).toBe(1);
      expect(repo.calls.find((c) => c.method === 'insert')!.tx).toBe(dataSource.tx);
      expect(audit.recorded).toEqual([
        {
          tx: dataSource.tx,
          entry: {
            actor: superuserActor,
            action: 'user.create',
            entityType: 'user',
            entityId: 1,
            changes: { username: { before: null, after: 'alice' }, is_superuser: { before: null, after: true } },
          },
        },
      ]);
      expect(JSON.stringify(audit.entries)).not.toContain(STRONG);
    });

    it('refuses a short password, naming the field, and writes nothing', async () => {
      const error = await service
        .create({ username: 'alice', password: 'short', isSuperuser: false }, superuserActor)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationFailedError);
      expect(error).toMatchObject({
        errorCode: 'VALIDATION_FAILED',
        message: 'password: must be at least 12 characters long',
        details: ['password: must be at least 12 characters long'],
      });
      expect(repo.rows.size).toBe(0);
      expect(audit.recorded).toEqual([]);
      expect(dataSource.transactions).toBe(0);
    });

    it('refuses a password built on the username, which it would accept for another name', async () => {
      await expect(
        service.create({ username: 'kvorgatrenix', password: NAME_BASED, isSuperuser: false }, superuserActor),
      ).rejects.toThrow(/^password: is too easy to guess/);
      expect(repo.rows.size).toBe(0);
      await service.create({ username: 'alice', password: NAME_BASED, isSuperuser: false }, superuserActor);
      expect(repo.rows.size).toBe(1);
    });

    it('refuses a name that is taken in another case with USERNAME_TAKEN, naming the existing user', async () => {
      repo.seed({ username: 'Alice', passwordHash: 'x' });
      const error = await service
        .create({ username: 'alice', password: STRONG, isSuperuser: false }, superuserActor)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsernameTakenError);
      expect(error).toMatchObject({ code: 'CONFLICT', errorCode: 'USERNAME_TAKEN' });
      expect((error as Error).message).toContain('A user named "Alice" already exists');
      expect(repo.methods()).not.toContain('insert');
      expect(audit.recorded).toEqual([]);
    });

    it('turns losing a concurrent create on the unique index into USERNAME_TAKEN', async () => {
      repo.insertFailure = queryFailed('23505');
      await expect(
        service.create({ username: 'alice', password: STRONG, isSuperuser: false }, superuserActor),
      ).rejects.toThrow(new UsernameTakenError('alice'));
    });

    it('lets any other database error through unchanged', async () => {
      repo.insertFailure = queryFailed('23502');
      await expect(
        service.create({ username: 'alice', password: STRONG, isSuperuser: false }, superuserActor),
      ).rejects.toBe(repo.insertFailure);
    });
  });

  describe('update and delete', () => {
    it('refuses an update that names nothing to change, and one of an unknown user', async () => {
      const alice = repo.seed({ username: 'alice', passwordHash: 'x' });
      await expect(service.update(alice.id, {}, superuserActor)).rejects.toThrow(
        'body: give at least one of password, is_superuser, is_active',
      );
      await expect(service.update(99, { isActive: false }, superuserActor)).rejects.toBeInstanceOf(UserNotFoundError);
      expect(audit.recorded).toEqual([]);
    });

    it('a new password is hashed, raises the token version, and is audited as *** only', async () => {
      const alice = repo.seed({ username: 'alice', passwordHash: 'x' });
      const after = await service.update(alice.id, { password: STRONG }, superuserActor);
      expect(after).toMatchObject({ id: alice.id, is_superuser: false, is_active: true });
      expect(repo.rows.get(alice.id)!.tokenVersion).toBe(1);
      await expect(argon2.verify(repo.rows.get(alice.id)!.passwordHash, STRONG)).resolves.toBe(true);
      expect(audit.entries).toEqual([
        expect.objectContaining({ action: 'user.update', changes: { password: { before: '***', after: '***' } } }),
      ]);
      expect(JSON.stringify(audit.entries)).not.toContain(STRONG);
      await expect(service.update(alice.id, { password: 'short' }, superuserActor)).rejects.toThrow(/^password: /);
    });

    it('audits only what changed, with before and after', async () => {
      const bob = repo.seed({ username: 'bob', passwordHash: 'x', isSuperuser: true });
      repo.seed({ username: 'root', passwordHash: 'x', isSuperuser: true });
      await service.update(bob.id, { isSuperuser: false, isActive: true }, superuserActor);
      expect(audit.entries[0].changes).toEqual({ is_superuser: { before: true, after: false } });
    });

    it('the last active superuser cannot be demoted, deactivated or deleted; another one can', async () => {
      const root = repo.seed({ username: 'root', passwordHash: 'x', isSuperuser: true });
      repo.seed({ username: 'sleeper', passwordHash: 'x', isSuperuser: true, isActive: false });
      for (const change of [{ isSuperuser: false }, { isActive: false }]) {
        const error = await service.update(root.id, change, superuserActor).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(LastSuperuserError);
        expect(error).toMatchObject({ code: 'CONFLICT', errorCode: 'LAST_SUPERUSER' });
      }
      await expect(service.delete(root.id, superuserActor)).rejects.toBeInstanceOf(LastSuperuserError);
      expect(repo.rows.get(root.id)).toMatchObject({ isSuperuser: true, isActive: true });
      expect(audit.recorded).toEqual([]);
      // The check is made under the lock, inside the change's transaction.
      expect(repo.calls.filter((c) => c.method === 'otherActiveSuperusers').every((c) => c.tx === dataSource.tx)).toBe(
        true,
      );
      const second = repo.seed({ username: 'second', passwordHash: 'x', isSuperuser: true });
      await service.update(root.id, { isSuperuser: false }, superuserActor);
      await expect(service.delete(second.id, superuserActor)).rejects.toBeInstanceOf(LastSuperuserError);
    });

    it('deletes a user in one transaction with its audit entry', async () => {
      const alice = repo.seed({ username: 'alice', passwordHash: 'x' });
      await service.delete(alice.id, superuserActor);
      expect(repo.rows.has(alice.id)).toBe(false);
      expect(repo.calls.find((c) => c.method === 'delete')!.tx).toBe(dataSource.tx);
      expect(audit.entries).toEqual([
        expect.objectContaining({
          action: 'user.delete',
          entityId: alice.id,
          changes: { username: { before: 'alice', after: null }, is_superuser: { before: false, after: null } },
        }),
      ]);
      // This process forgets the user's cached tokens at once, after the commit (the others by NOTIFY).
      expect(forgotten).toEqual([alice.id]);
      await expect(service.delete(alice.id, superuserActor)).rejects.toBeInstanceOf(UserNotFoundError);
      expect(forgotten).toEqual([alice.id]);
    });
  });

  describe('createFirstSuperuser', () => {
    it('creates a superuser when there is no user, under the bootstrap lock', async () => {
      await expect(service.createFirstSuperuser('admin', STRONG, superuserActor)).resolves.toBe(true);

      expect(repo.methods()).toEqual(['lockForBootstrap', 'count', 'findByUsername', 'insert']);
      expect(repo.calls.every((c) => c.tx === dataSource.tx)).toBe(true);
      const admin = [...repo.rows.values()][0];
      expect(admin).toMatchObject({ username: 'admin', isSuperuser: true });
      await expect(argon2.verify(admin.passwordHash, STRONG)).resolves.toBe(true);
      expect(audit.entries.map((e) => e.action)).toEqual(['user.create']);
    });

    it('does nothing once any user exists', async () => {
      repo.seed({ username: 'someone', passwordHash: 'x' });
      await expect(service.createFirstSuperuser('admin', STRONG, superuserActor)).resolves.toBe(false);
      expect(repo.methods()).toEqual(['lockForBootstrap', 'count']);
      expect(repo.rows.size).toBe(1);
      expect(audit.recorded).toEqual([]);
    });
  });

  describe('get, list and count', () => {
    it('answers USER_NOT_FOUND for an unknown id', async () => {
      const error = await service.get(42).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserNotFoundError);
      expect(error).toMatchObject({ code: 'NOT_FOUND', errorCode: 'USER_NOT_FOUND', message: 'User 42 was not found' });
    });

    it('maps a user to its response, without the hash', async () => {
      const user = repo.seed({ username: 'bob', passwordHash: '$argon2id$secret-hash', isSuperuser: true });
      await expect(service.get(user.id)).resolves.toEqual({
        id: user.id,
        username: 'bob',
        is_superuser: true,
        is_active: true,
        created_at: CREATED_AT.toISOString(),
      });
    });

    it('pages the list and counts every user', async () => {
      for (const name of ['a', 'b', 'c']) repo.seed({ username: name, passwordHash: 'x' });
      const page = await service.list({ page: 2, size: 2 });
      expect(page).toMatchObject({ total: 3, page: 2, size: 2, pages: 2 });
      expect(page.items.map((u) => u.username)).toEqual(['c']);
      await expect(service.count()).resolves.toBe(3);
    });
  });

  describe('changePassword', () => {
    const OLD = 'old-walrus-cobalt-lantern';
    let aliceHash: string;

    beforeAll(async () => {
      aliceHash = await argon2.hash(OLD, { type: argon2.argon2id });
    });

    it('stores the new hash, raises the token version, and audits it in the same transaction', async () => {
      const alice = repo.seed({ username: 'alice', passwordHash: aliceHash, tokenVersion: 4 });

      const result = await service.changePassword(alice.id, OLD, STRONG, superuserActor);

      expect(result.tokenVersion).toBe(5);
      expect(result.user.id).toBe(alice.id);
      await expect(argon2.verify(repo.rows.get(alice.id)!.passwordHash, STRONG)).resolves.toBe(true);
      expect(repo.calls.find((c) => c.method === 'updatePassword')!.tx).toBe(dataSource.tx);
      expect(audit.recorded).toEqual([
        {
          tx: dataSource.tx,
          entry: { actor: superuserActor, action: 'user.password_change', entityType: 'user', entityId: alice.id },
        },
      ]);
    });

    it('refuses a wrong current password on current_password and changes nothing', async () => {
      const alice = repo.seed({ username: 'alice', passwordHash: aliceHash });
      const error = await service
        .changePassword(alice.id, 'not-the-password', STRONG, superuserActor)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationFailedError);
      expect((error as Error).message).toBe('current_password: does not match your password');
      expect(repo.rows.get(alice.id)!.passwordHash).toBe(aliceHash);
      expect(repo.methods()).not.toContain('updatePassword');
      expect(audit.recorded).toEqual([]);
    });

    it('refuses a weak new password on new_password, judged against the username', async () => {
      const alice = repo.seed({ username: 'kvorgatrenix', passwordHash: aliceHash });
      await expect(service.changePassword(alice.id, OLD, NAME_BASED, superuserActor)).rejects.toThrow(
        /^new_password: is too easy to guess/,
      );
      await expect(service.changePassword(alice.id, OLD, 'short', superuserActor)).rejects.toThrow(
        'new_password: must be at least 12 characters long',
      );
      expect(repo.rows.get(alice.id)!.passwordHash).toBe(aliceHash);
      expect(repo.rows.get(alice.id)!.tokenVersion).toBe(0);
    });

    it('answers USER_NOT_FOUND for a user that no longer exists', async () => {
      await expect(service.changePassword(99, OLD, STRONG, superuserActor)).rejects.toThrow(new UserNotFoundError(99));
    });
  });

  describe('verifyCredentials', () => {
    let hash: string;

    beforeAll(async () => {
      hash = await argon2.hash(STRONG, { type: argon2.argon2id });
    });

    it('returns the user when the password matches, whatever the case of the name', async () => {
      const alice = repo.seed({ username: 'alice', passwordHash: hash });
      await expect(service.verifyCredentials('ALICE', STRONG)).resolves.toEqual({ user: alice, known: alice });
    });

    it('returns no user but the known one when the password is wrong', async () => {
      const alice = repo.seed({ username: 'alice', passwordHash: hash });
      await expect(service.verifyCredentials('alice', 'wrong-password-here')).resolves.toEqual({
        user: null,
        known: alice,
      });
    });

    it('returns neither for an unknown name', async () => {
      await expect(service.verifyCredentials('nobody', STRONG)).resolves.toEqual({ user: null, known: null });
    });

    it('treats a stored hash argon2 cannot read as a mismatch, not an error', async () => {
      const alice = repo.seed({ username: 'alice', passwordHash: 'not-a-hash' });
      await expect(service.verifyCredentials('alice', STRONG)).resolves.toEqual({ user: null, known: alice });
    });
  });
});
