import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { PageRequest } from '../../../src/common/pagination';
import type { Secret } from '../../../src/modules/secrets/secret.entity';
import { open } from '../../../src/modules/secrets/secrets-cipher';
import type { SecretsKeyProvider } from '../../../src/modules/secrets/secrets-key.provider';
import { SecretNameTakenError, SecretNotFoundError } from '../../../src/modules/secrets/secrets.errors';
import type { SecretsRepository } from '../../../src/modules/secrets/secrets.repository';
import { SecretsService } from '../../../src/modules/secrets/secrets.service';
import { FakeAuditService, FakeDataSource, queryFailed, superuserActor } from '../support/fakes';

const VALUE = 'tok_live_7f3a9c1e5b2d8f40';
const OTHER_VALUE = 'tok_live_0b9e8d7c6a5f4e3d';
const WRITTEN_AT = new Date('2026-03-04T05:06:07Z');

type NewRow = Pick<Secret, 'name' | 'description' | 'ciphertext' | 'iv' | 'authTag' | 'createdBy'>;

/** In-memory rows; records which methods ran in which transaction. */
class FakeSecretsRepository implements Omit<SecretsRepository, 'secrets' | 'repo'> {
  readonly rows = new Map<string, Secret>();
  readonly calls: { method: string; tx?: EntityManager }[] = [];
  insertFailure: Error | undefined;
  private nextId = 1;

  async list(page: PageRequest): Promise<[Secret[], number]> {
    const all = [...this.rows.values()].sort((a, b) => a.name.localeCompare(b.name));
    return [all.slice((page.page - 1) * page.size, page.page * page.size), all.length];
  }

  async findByName(name: string, tx?: EntityManager): Promise<Secret | null> {
    this.calls.push({ method: 'findByName', tx });
    return this.copy(this.rows.get(name));
  }

  async lockByName(name: string, tx: EntityManager): Promise<Secret | null> {
    this.calls.push({ method: 'lockByName', tx });
    return this.copy(this.rows.get(name));
  }

  async findByNames(names: string[]): Promise<Secret[]> {
    return names.flatMap((n) => (this.rows.has(n) ? [this.copy(this.rows.get(n))!] : []));
  }

  async insert(secret: NewRow, tx: EntityManager): Promise<Secret> {
    this.calls.push({ method: 'insert', tx });
    if (this.insertFailure) throw this.insertFailure;
    const row = { ...secret, id: this.nextId++, createdAt: WRITTEN_AT, updatedAt: WRITTEN_AT };
    this.rows.set(row.name, row);
    return this.copy(row)!;
  }

  async save(secret: Secret, tx: EntityManager): Promise<Secret> {
    this.calls.push({ method: 'save', tx });
    this.rows.set(secret.name, { ...secret });
    return this.copy(secret)!;
  }

  async remove(id: number, tx: EntityManager): Promise<void> {
    this.calls.push({ method: 'remove', tx });
    for (const [name, row] of this.rows) if (row.id === id) this.rows.delete(name);
  }

  methods(): string[] {
    return this.calls.map((c) => c.method);
  }

  private copy(row: Secret | undefined): Secret | null {
    return row ? { ...row } : null;
  }
}

describe(SecretsService.name, () => {
  const key = randomBytes(32);
  let repo: FakeSecretsRepository;
  let audit: FakeAuditService;
  let dataSource: FakeDataSource;
  let service: SecretsService;

  beforeEach(() => {
    repo = new FakeSecretsRepository();
    audit = new FakeAuditService();
    dataSource = new FakeDataSource();
    const keys = { get: () => Promise.resolve(key) } as unknown as SecretsKeyProvider;
    service = new SecretsService(
      dataSource.asDataSource(),
      repo as unknown as SecretsRepository,
      keys,
      audit.asAuditService(),
    );
  });

  /** Nothing the service hands back or audits may carry a value, in any encoding. */
  function expectNoValueIn(thing: unknown, ...values: string[]): void {
    const text = JSON.stringify(thing);
    for (const value of values) {
      expect(text).not.toContain(value);
      expect(text).not.toContain(Buffer.from(value).toString('base64'));
      expect(text).not.toContain(Buffer.from(value).toString('hex'));
    }
  }

  describe('create', () => {
    it('stores the value only as AES-256-GCM ciphertext bound to the name', async () => {
      await service.create({ name: 'webhook_token', value: VALUE, description: 'for the hook' }, superuserActor);

      const row = repo.rows.get('webhook_token')!;
      expect(row.ciphertext.includes(Buffer.from(VALUE))).toBe(false);
      expect(row.iv).toHaveLength(12);
      expect(row.authTag).toHaveLength(16);
      expect(open(key, 'webhook_token', row)).toBe(VALUE);
      // The name is the associated data: the same row under another name does not open.
      expect(() => open(key, 'another_name', row)).toThrow();
      expect(row).toMatchObject({ description: 'for the hook', createdBy: 'root' });
    });

    it('answers with the name, description and dates, never the value', async () => {
      const created = await service.create({ name: 'webhook_token', value: VALUE }, superuserActor);
      expect(created).toEqual({
        name: 'webhook_token',
        description: null,
        created_at: WRITTEN_AT.toISOString(),
        updated_at: WRITTEN_AT.toISOString(),
      });
    });

    it('audits the creation in its transaction, saying a value was set but not which', async () => {
      await service.create({ name: 'webhook_token', value: VALUE, description: 'd' }, superuserActor);

      expect(repo.calls.map((c) => c.tx)).toEqual([dataSource.tx, dataSource.tx]);
      expect(audit.recorded).toEqual([
        {
          tx: dataSource.tx,
          entry: {
            actor: superuserActor,
            action: 'secret.create',
            entityType: 'secret',
            entityId: 'webhook_token',
            changes: {
              name: { before: null, after: 'webhook_token' },
              description: { before: null, after: 'd' },
              value: { before: null, after: 'set' },
            },
          },
        },
      ]);
      expectNoValueIn(audit.recorded, VALUE);
    });

    it('refuses a taken name with SECRET_NAME_TAKEN and keeps the stored value', async () => {
      await service.create({ name: 'webhook_token', value: VALUE }, superuserActor);
      const stored = repo.rows.get('webhook_token')!;

      const error = await service
        .create({ name: 'webhook_token', value: OTHER_VALUE }, superuserActor)
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(SecretNameTakenError);
      expect(error).toMatchObject({
        code: 'CONFLICT',
        errorCode: 'SECRET_NAME_TAKEN',
        message: 'A secret named "webhook_token" already exists',
      });
      expectNoValueIn((error as Error).message, OTHER_VALUE);
      expect(repo.rows.get('webhook_token')).toEqual(stored);
      expect(audit.recorded).toHaveLength(1);
    });

    it('turns losing a concurrent create on the unique index into SECRET_NAME_TAKEN', async () => {
      repo.insertFailure = queryFailed('23505');
      await expect(service.create({ name: 'webhook_token', value: VALUE }, superuserActor)).rejects.toThrow(
        new SecretNameTakenError('webhook_token'),
      );
    });

    it('lets any other database error through unchanged', async () => {
      repo.insertFailure = queryFailed('22001');
      await expect(service.create({ name: 'webhook_token', value: VALUE }, superuserActor)).rejects.toBe(
        repo.insertFailure,
      );
    });
  });

  describe('get and list', () => {
    it('never return a value', async () => {
      await service.create({ name: 'b_token', value: VALUE }, superuserActor);
      await service.create({ name: 'a_token', value: OTHER_VALUE, description: 'second' }, superuserActor);

      const one = await service.get('b_token');
      expect(Object.keys(one).sort()).toEqual(['created_at', 'description', 'name', 'updated_at']);
      const page = await service.list({ page: 1, size: 10 });
      expect(page).toMatchObject({ total: 2, page: 1, size: 10, pages: 1 });
      expect(page.items.map((s) => s.name)).toEqual(['a_token', 'b_token']);
      expectNoValueIn([one, page], VALUE, OTHER_VALUE);
    });

    it('answers SECRET_NOT_FOUND for an unknown name', async () => {
      const error = await service.get('nope').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SecretNotFoundError);
      expect(error).toMatchObject({
        code: 'NOT_FOUND',
        errorCode: 'SECRET_NOT_FOUND',
        message: 'Secret "nope" was not found',
      });
    });
  });

  describe('update', () => {
    beforeEach(async () => {
      await service.create({ name: 'webhook_token', value: VALUE, description: 'old' }, superuserActor);
      audit.recorded.length = 0;
      repo.calls.length = 0;
    });

    it('re-encrypts a new value with a fresh nonce, and audits only that it changed', async () => {
      const before = repo.rows.get('webhook_token')!;

      await service.update('webhook_token', { value: OTHER_VALUE }, superuserActor);

      const after = repo.rows.get('webhook_token')!;
      expect(open(key, 'webhook_token', after)).toBe(OTHER_VALUE);
      expect(after.iv.equals(before.iv)).toBe(false);
      expect(after.ciphertext.includes(Buffer.from(OTHER_VALUE))).toBe(false);
      expect(after.description).toBe('old');
      expect(repo.methods()).toEqual(['lockByName', 'save']);
      expect(repo.calls.every((c) => c.tx === dataSource.tx)).toBe(true);
      expect(audit.recorded).toEqual([
        {
          tx: dataSource.tx,
          entry: expect.objectContaining({
            action: 'secret.update',
            entityId: 'webhook_token',
            changes: { value: { before: 'set', after: 'changed' } },
          }),
        },
      ]);
      expectNoValueIn(audit.recorded, VALUE, OTHER_VALUE);
    });

    it('changes only the description when no value is given, keeping the ciphertext', async () => {
      const before = repo.rows.get('webhook_token')!;

      const updated = await service.update('webhook_token', { description: 'new' }, superuserActor);

      expect(updated.description).toBe('new');
      const after = repo.rows.get('webhook_token')!;
      expect(after.ciphertext.equals(before.ciphertext)).toBe(true);
      expect(open(key, 'webhook_token', after)).toBe(VALUE);
      expect(audit.entries[0].changes).toEqual({ description: { before: 'old', after: 'new' } });
    });

    it('answers SECRET_NOT_FOUND for an unknown name and writes nothing', async () => {
      await expect(service.update('nope', { value: OTHER_VALUE }, superuserActor)).rejects.toThrow(
        new SecretNotFoundError('nope'),
      );
      expect(repo.methods()).toEqual(['lockByName']);
      expect(audit.recorded).toEqual([]);
    });
  });

  describe('delete', () => {
    it('removes the row and audits it without the value', async () => {
      await service.create({ name: 'webhook_token', value: VALUE, description: 'd' }, superuserActor);
      audit.recorded.length = 0;

      await service.delete('webhook_token', superuserActor);

      expect(repo.rows.has('webhook_token')).toBe(false);
      expect(audit.entries).toEqual([
        {
          actor: superuserActor,
          action: 'secret.delete',
          entityType: 'secret',
          entityId: 'webhook_token',
          changes: { name: { before: 'webhook_token', after: null }, description: { before: 'd', after: null } },
        },
      ]);
      expectNoValueIn(audit.recorded, VALUE);
    });

    it('answers SECRET_NOT_FOUND for an unknown name and writes nothing', async () => {
      await expect(service.delete('nope', superuserActor)).rejects.toThrow(new SecretNotFoundError('nope'));
      expect(repo.methods()).toEqual(['lockByName']);
      expect(audit.recorded).toEqual([]);
    });
  });

  describe('reveal', () => {
    it('decrypts the named secrets and lists those not stored, each name once', async () => {
      await service.create({ name: 'a_token', value: VALUE }, superuserActor);
      await service.create({ name: 'b_token', value: OTHER_VALUE }, superuserActor);

      const { values, missing } = await service.reveal(['a_token', 'gone', 'b_token', 'a_token', 'gone']);

      expect([...values.entries()]).toEqual([
        ['a_token', VALUE],
        ['b_token', OTHER_VALUE],
      ]);
      expect(missing).toEqual(['gone']);
    });

    it('names the secret, not its value, when it was stored with another key', async () => {
      await service.create({ name: 'a_token', value: VALUE }, superuserActor);
      const keys = { get: () => Promise.resolve(randomBytes(32)) } as unknown as SecretsKeyProvider;
      const rekeyed = new SecretsService(
        dataSource.asDataSource(),
        repo as unknown as SecretsRepository,
        keys,
        audit.asAuditService(),
      );

      const error = await rekeyed.reveal(['a_token']).catch((e: unknown) => e);

      expect((error as Error).message).toMatch(/^Secret "a_token" cannot be decrypted: it was stored with another key/);
      expectNoValueIn((error as Error).message, VALUE);
    });
  });
});
