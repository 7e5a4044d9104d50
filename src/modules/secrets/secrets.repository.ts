import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type EntityManager, type Repository } from 'typeorm';
import type { PageRequest } from '../../common/pagination';
import { Secret } from './secret.entity';

/** SQL for secrets (the only reader and writer of the table). */
@Injectable()
export class SecretsRepository {
  constructor(@InjectRepository(Secret) private readonly secrets: Repository<Secret>) {}

  private repo(tx?: EntityManager): Repository<Secret> {
    return tx ? tx.getRepository(Secret) : this.secrets;
  }

  list(page: PageRequest): Promise<[Secret[], number]> {
    return this.secrets.findAndCount({ order: { name: 'ASC' }, skip: (page.page - 1) * page.size, take: page.size });
  }

  findByName(name: string, tx?: EntityManager): Promise<Secret | null> {
    return this.repo(tx).findOneBy({ name });
  }

  /** Locks the row for an update or delete in `tx`. */
  lockByName(name: string, tx: EntityManager): Promise<Secret | null> {
    return tx.getRepository(Secret).findOne({ where: { name }, lock: { mode: 'pessimistic_write' } });
  }

  findByNames(names: string[]): Promise<Secret[]> {
    return names.length === 0 ? Promise.resolve([]) : this.secrets.findBy({ name: In(names) });
  }

  insert(
    secret: Pick<Secret, 'name' | 'description' | 'ciphertext' | 'iv' | 'authTag' | 'createdBy'>,
    tx: EntityManager,
  ): Promise<Secret> {
    const repo = tx.getRepository(Secret);
    return repo.save(repo.create(secret));
  }

  save(secret: Secret, tx: EntityManager): Promise<Secret> {
    return tx.getRepository(Secret).save(secret);
  }

  async remove(id: number, tx: EntityManager): Promise<void> {
    await tx.getRepository(Secret).delete({ id });
  }
}
