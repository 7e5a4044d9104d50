import { Registry } from 'prom-client';
import { sampleEventLoopDelay } from '../../../src/modules/metrics/event-loop-delay';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(sampleEventLoopDelay.name, () => {
  it('records a blocked event loop in nodejs_eventloop_delay_seconds', async () => {
    const registry = new Registry();
    const stop = sampleEventLoopDelay(registry, 20);
    try {
      await sleep(60);
      const until = Date.now() + 300;
      while (Date.now() < until); // block the loop for 300 ms
      await sleep(60);
      const text = await registry.metrics();
      const sum = Number(/^nodejs_eventloop_delay_seconds_sum (\S+)$/m.exec(text)?.[1]);
      const upTo100ms = Number(/^nodejs_eventloop_delay_seconds_bucket\{le="0\.1"\} (\S+)$/m.exec(text)?.[1]);
      const count = Number(/^nodejs_eventloop_delay_seconds_count (\S+)$/m.exec(text)?.[1]);
      // The stall shows (however loaded the machine, it lasted at least 300 ms of wall time).
      expect(sum).toBeGreaterThanOrEqual(0.25);
      expect(count - upTo100ms).toBeGreaterThanOrEqual(1);
    } finally {
      stop();
    }
  });
});
