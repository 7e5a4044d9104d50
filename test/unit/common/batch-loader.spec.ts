import { createBatchLoader } from '../../../src/common/batch-loader';

describe('createBatchLoader', () => {
  it('sends a lone call at once, and gathers the calls made while the limit of batches is in flight', async () => {
    const batches: number[][] = [];
    const gates: (() => void)[] = [];
    const loader = createBatchLoader<number, number>(
      (keys) => {
        batches.push([...keys]);
        return new Promise((resolve) => gates.push(() => resolve(keys.map((k) => k * 10))));
      },
      { maxInFlight: 1 },
    );
    const first = loader.load(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1]]);
    // The first batch is in flight: these three wait and go out together when it returns.
    const rest = [loader.load(2), loader.load(3)];
    await new Promise((resolve) => setImmediate(resolve));
    rest.push(loader.load(4));
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1]]);
    gates[0]();
    expect(await first).toBe(10);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1], [2, 3, 4]]);
    gates[1]();
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
  });

  it('rejects every call of a failed batch and keeps serving afterwards', async () => {
    let fail = true;
    const loader = createBatchLoader<number, number>(async (keys) => {
      if (fail) throw new Error('database away');
      return keys.map((k) => k + 1);
    });
    const calls = [loader.load(1), loader.load(2)];
    await expect(Promise.all(calls)).rejects.toThrow('database away');
    await expect(calls[1]).rejects.toThrow('database away');
    fail = false;
    expect(await loader.load(5)).toBe(6);
  });
});
