import type { PgNotifier } from '../../../src/database/pg-notifier.service';
import { TokenHolderCache } from '../../../src/modules/auth/token-holder-cache';
import type { TokenHolder, UsersRepository } from '../../../src/modules/auth/users.repository';

/** The LISTEN side as the cache sees it: notifications and connection changes are delivered by hand. */
class FakeNotifier {
  connected = true;
  subscribeFailure: Error | undefined;
  readonly listeners: ((payload: string) => void)[] = [];
  readonly watchers: ((up: boolean) => void)[] = [];

  async subscribe(_channel: string, listener: (payload: string) => void): Promise<void> {
    if (this.subscribeFailure) throw this.subscribeFailure;
    this.listeners.push(listener);
  }

  watchConnection(watcher: (up: boolean) => void): void {
    this.watchers.push(watcher);
  }

  notify(payload: string): void {
    this.listeners.forEach((l) => l(payload));
  }
}

/** Counts reads; `during` runs while a read is in flight (a change racing it). */
class FakeHolders {
  reads = 0;
  readonly holders = new Map<number, TokenHolder>();
  during: (() => void) | undefined;

  async findTokenHolder(id: number): Promise<TokenHolder | null> {
    this.reads++;
    const holder = this.holders.get(id) ?? null;
    const answer = holder ? { ...holder } : null;
    this.during?.();
    return answer;
  }
}

const alice: TokenHolder = {
  id: 7,
  username: 'alice',
  isSuperuser: true,
  isActive: true,
  tokenVersion: 0,
  revoked: false,
};

describe(TokenHolderCache.name, () => {
  let notifier: FakeNotifier;
  let db: FakeHolders;
  let cache: TokenHolderCache;

  beforeEach(() => {
    notifier = new FakeNotifier();
    db = new FakeHolders();
    db.holders.set(7, { ...alice });
    cache = new TokenHolderCache(notifier as unknown as PgNotifier, db as unknown as UsersRepository);
  });

  it('reads a token holder once, then answers from memory', async () => {
    expect(await cache.get(7, 'jti-1')).toEqual(alice);
    expect(await cache.get(7, 'jti-1')).toEqual(alice);
    expect(db.reads).toBe(1);
    await cache.get(7, 'jti-2');
    expect(db.reads).toBe(2);
  });

  it("drops a user's entries when its change is announced, and only that user's", async () => {
    db.holders.set(8, { ...alice, id: 8, username: 'bob' });
    await cache.get(7, 'jti-1');
    await cache.get(8, 'jti-1');
    db.holders.set(7, { ...alice, isSuperuser: false });
    notifier.notify('7');
    expect(await cache.get(7, 'jti-1')).toMatchObject({ isSuperuser: false });
    await cache.get(8, 'jti-1');
    expect(db.reads).toBe(3);
  });

  it('does not cache a read that a change overlapped (it may have seen the state before it)', async () => {
    db.during = () => {
      db.holders.set(7, { ...alice, isActive: false });
      notifier.notify('7');
    };
    expect(await cache.get(7, 'jti-1')).toMatchObject({ isActive: true });
    db.during = undefined;
    expect(await cache.get(7, 'jti-1')).toMatchObject({ isActive: false });
  });

  it('reads the database on every request while the LISTEN connection is down, and forgets everything when it is back', async () => {
    await cache.get(7, 'jti-1');
    notifier.connected = false;
    notifier.watchers.forEach((w) => w(false));
    await cache.get(7, 'jti-1');
    await cache.get(7, 'jti-1');
    expect(db.reads).toBe(3);
    db.holders.set(7, { ...alice, revoked: true });
    notifier.connected = true;
    notifier.watchers.forEach((w) => w(true));
    expect(await cache.get(7, 'jti-1')).toMatchObject({ revoked: true });
    expect(db.reads).toBe(4);
  });

  it('works uncached when it cannot subscribe, and tries again later', async () => {
    notifier.subscribeFailure = new Error('connection refused');
    await cache.get(7, 'jti-1');
    await cache.get(7, 'jti-1');
    expect(db.reads).toBe(2);
    notifier.subscribeFailure = undefined;
    await cache.get(7, 'jti-1');
    await cache.get(7, 'jti-1');
    expect(db.reads).toBe(3);
  });

  it('never caches an unknown user (a deleted user is read each time)', async () => {
    expect(await cache.get(99, 'jti-1')).toBeNull();
    expect(await cache.get(99, 'jti-1')).toBeNull();
    expect(db.reads).toBe(2);
  });

  it('re-reads after the TTL even without a notification', async () => {
    const now = jest.spyOn(Date, 'now');
    try {
      now.mockReturnValue(1_000_000);
      await cache.get(7, 'jti-1');
      now.mockReturnValue(1_000_000 + 61_000);
      await cache.get(7, 'jti-1');
      expect(db.reads).toBe(2);
    } finally {
      now.mockRestore();
    }
  });
});
