import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import type { PageRequest } from '../../common/pagination';
import { User } from './user.entity';

/** Arbitrary constant: serialises the first-superuser bootstrap across processes. */
const BOOTSTRAP_LOCK = 727_002;

/** SQL for users. */
@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  private repo(tx?: EntityManager): Repository<User> {
    return tx ? tx.getRepository(User) : this.users;
  }

  findById(id: number, tx?: EntityManager): Promise<User | null> {
    return this.repo(tx).findOneBy({ id });
  }

  findByUsername(username: string, tx?: EntityManager): Promise<User | null> {
    return this.repo(tx).findOneBy({ username });
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
