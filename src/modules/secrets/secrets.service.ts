import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import type { Actor } from '../../common/actor';
import { toPage, type Page, type PageRequest } from '../../common/pagination';
import { AuditService } from '../audit/audit.service';
import { SecretResponseDto } from './dto/secret.dto';
import { open, seal, type Sealed } from './secrets-cipher';
import { SecretsKeyProvider } from './secrets-key.provider';
import { SecretNameTakenError, SecretNotFoundError } from './secrets.errors';
import { SecretsRepository } from './secrets.repository';
import type { Secret } from './secret.entity';

export interface NewSecret {
  name: string;
  value: string;
  description?: string | null;
}

export interface SecretChange {
  value?: string;
  description?: string | null;
}

/**
 * The secrets store. Values go in (encrypted with the store's key) and come out only through
 * `reveal`, which the worker calls just before a task runs. Every change is audited without
 * the value. Transport-neutral: the API (and any CLI) call it with the actor.
 */
@Injectable()
export class SecretsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly secrets: SecretsRepository,
    private readonly keys: SecretsKeyProvider,
    private readonly audit: AuditService,
  ) {}

  async create(input: NewSecret, actor: Actor): Promise<SecretResponseDto> {
    const sealed = seal(await this.keys.get(), input.name, input.value);
    try {
      return await this.dataSource.transaction(async (tx) => {
        if (await this.secrets.findByName(input.name, tx)) throw new SecretNameTakenError(input.name);
        const secret = await this.secrets.insert(
          { name: input.name, description: input.description ?? null, ...sealed, createdBy: actor.name.slice(0, 150) },
          tx,
        );
        await this.record(tx, actor, 'secret.create', secret, {
          name: [null, secret.name],
          description: [null, secret.description],
          value: [null, 'set'],
        });
        return SecretResponseDto.from(secret);
      });
    } catch (error) {
      // A concurrent create of the same name loses on the unique index.
      if (error instanceof QueryFailedError && (error.driverError as { code?: string })?.code === '23505')
        throw new SecretNameTakenError(input.name);
      throw error;
    }
  }

  async list(page: PageRequest): Promise<Page<SecretResponseDto>> {
    const [items, total] = await this.secrets.list(page);
    return toPage(
      items.map((item) => SecretResponseDto.from(item)),
      total,
      page,
    );
  }

  async get(name: string): Promise<SecretResponseDto> {
    const secret = await this.secrets.findByName(name);
    if (!secret) throw new SecretNotFoundError(name);
    return SecretResponseDto.from(secret);
  }

  async update(name: string, change: SecretChange, actor: Actor): Promise<SecretResponseDto> {
    const sealed = change.value === undefined ? undefined : seal(await this.keys.get(), name, change.value);
    return this.dataSource.transaction(async (tx) => {
      const secret = await this.secrets.lockByName(name, tx);
      if (!secret) throw new SecretNotFoundError(name);
      const before = secret.description;
      if (change.description !== undefined) secret.description = change.description;
      if (sealed) Object.assign(secret, sealed);
      // Saved even when nothing differs, so updated_at says when the secret was last written.
      secret.updatedAt = new Date();
      const saved = await this.secrets.save(secret, tx);
      const changes: Record<string, [unknown, unknown]> = {};
      if (before !== saved.description) changes.description = [before, saved.description];
      if (sealed) changes.value = ['set', 'changed'];
      await this.record(tx, actor, 'secret.update', saved, changes);
      return SecretResponseDto.from(saved);
    });
  }

  async delete(name: string, actor: Actor): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const secret = await this.secrets.lockByName(name, tx);
      if (!secret) throw new SecretNotFoundError(name);
      await this.secrets.remove(secret.id, tx);
      await this.record(tx, actor, 'secret.delete', secret, {
        name: [secret.name, null],
        description: [secret.description, null],
      });
    });
  }

  /**
   * The values of the named secrets, decrypted (the worker, just before a task runs). Names
   * that are not stored come back in `missing`.
   */
  async reveal(names: string[]): Promise<{ values: Map<string, string>; missing: string[] }> {
    const unique = [...new Set(names)];
    const rows = await this.secrets.findByNames(unique);
    const values = new Map<string, string>();
    if (rows.length > 0) {
      const key = await this.keys.get();
      for (const row of rows) values.set(row.name, decrypt(key, row));
    }
    return { values, missing: unique.filter((n) => !values.has(n)) };
  }

  /**
   * Seals a credential another module keeps (a notification channel's signing secret) with the
   * store's key; `purpose` is bound to it (the associated data) and needed to open it.
   */
  async sealFor(purpose: string, value: string): Promise<Sealed> {
    return seal(await this.keys.get(), purpose, value);
  }

  async openFor(purpose: string, sealed: Sealed): Promise<string> {
    return open(await this.keys.get(), purpose, sealed);
  }

  private async record(
    tx: EntityManager,
    actor: Actor,
    action: string,
    secret: Secret,
    changes: Record<string, [unknown, unknown]>,
  ): Promise<void> {
    await this.audit.record(tx, {
      actor,
      action,
      entityType: 'secret',
      entityId: secret.name,
      changes: Object.fromEntries(
        Object.entries(changes).map(([field, [before, after]]) => [field, { before, after }]),
      ),
    });
  }
}

function decrypt(key: Buffer, row: Secret): string {
  try {
    return open(key, row.name, row);
  } catch {
    throw new Error(
      `Secret "${row.name}" cannot be decrypted: it was stored with another key (check SECRETS_KEY / DATA_DIR/secrets-key)`,
    );
  }
}
