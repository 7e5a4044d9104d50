import { Coalescer } from '../../../src/common/coalescer';

/** A computation the test finishes by hand, counting how many were started. */
function gate() {
  const pending: { resolve: (v: number) => void; reject: (e: Error) => void }[] = [];
  let started = 0;
  const compute = () =>
    new Promise<number>((resolve, reject) => {
      started++;
      pending.push({ resolve, reject });
    });
  return { compute, pending, started: () => started };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Coalescer', () => {
  it('runs one computation at a time; callers arriving during one share the next', async () => {
    const g = gate();
    const c = new Coalescer(g.compute);
    const first = c.get();
    const second = c.get();
    const third = c.get();
    expect(g.started()).toBe(1);
    g.pending[0].resolve(1);
    expect(await first).toBe(1);
    await tick();
    // The second and third callers asked after the first computation began: they get a new one.
    expect(g.started()).toBe(2);
    g.pending[1].resolve(2);
    expect(await Promise.all([second, third])).toEqual([2, 2]);
    // Idle again: the next caller starts a fresh computation at once.
    const fourth = c.get();
    expect(g.started()).toBe(3);
    g.pending[2].resolve(3);
    expect(await fourth).toBe(3);
  });

  it('a failure reaches only the callers of that computation; the next one still runs', async () => {
    const g = gate();
    const c = new Coalescer(g.compute);
    const failing = c.get();
    const waiting = c.get();
    g.pending[0].reject(new Error('boom'));
    await expect(failing).rejects.toThrow('boom');
    await tick();
    g.pending[1].resolve(7);
    expect(await waiting).toBe(7);
  });
});
