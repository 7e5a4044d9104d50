import DataLoader from 'dataloader';

export interface BatchLoaderOptions {
  /** Most batches in flight at once; further calls gather into the next batch meanwhile. */
  maxInFlight?: number;
  maxBatchSize?: number;
}

/**
 * A DataLoader (no cache) whose batches adapt to load: a call made while fewer than
 * `maxInFlight` batches are in flight goes out on the next turn of the event loop (no timer,
 * no added latency when idle); calls made while the limit is reached gather into one batch
 * that goes out as soon as a batch in flight returns. So under load one round trip serves many
 * callers, and idle it serves one at once.
 */
export function createBatchLoader<K, V>(
  batch: (keys: readonly K[]) => Promise<(V | Error)[]>,
  options: BatchLoaderOptions = {},
): DataLoader<K, V> {
  const maxInFlight = options.maxInFlight ?? 2;
  let running = 0;
  let scheduled = 0;
  const waiting: (() => void)[] = [];
  const schedule = (dispatch: () => void) => {
    scheduled++;
    setImmediate(() => {
      scheduled--;
      dispatch();
    });
  };
  const finished = () => {
    running--;
    const next = waiting.shift();
    if (next) schedule(next);
  };
  return new DataLoader<K, V>(
    (keys) => {
      running++;
      return batch(keys).finally(finished);
    },
    {
      cache: false,
      maxBatchSize: options.maxBatchSize ?? 100,
      batchScheduleFn: (dispatch) => (running + scheduled < maxInFlight ? schedule(dispatch) : waiting.push(dispatch)),
    },
  );
}
