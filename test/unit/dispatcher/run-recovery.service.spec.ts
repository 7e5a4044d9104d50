import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '../../../src/config/app-config';
import { RunRecoveryService } from '../../../src/modules/dispatcher/run-recovery.service';
import type { EnqueueTarget } from '../../../src/modules/executions/executions.repository';
import { FakeExecutionsService } from '../support/fakes';

const LOST_MESSAGE = 'The worker running this attempt was lost (no result long after its timeout)';

describe(RunRecoveryService.name, () => {
  let executions: FakeExecutionsService;
  let registry: SchedulerRegistry;
  let warnings: jest.SpyInstance;
  let service: RunRecoveryService;

  beforeEach(() => {
    executions = new FakeExecutionsService();
    registry = new SchedulerRegistry();
    warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    service = new RunRecoveryService(
      AppConfig.from({}, { RECOVERY_QUEUED_SECONDS: 90, RECOVERY_INTERVAL_SECONDS: 30 }),
      registry,
      executions.asExecutionsService(),
    );
  });

  afterEach(async () => {
    await service.onModuleDestroy();
    warnings.mockRestore();
    jest.useRealTimers();
  });

  describe('sweep', () => {
    it('enqueues the runs left queued again, with their queue, priority and not-before time', async () => {
      const notBefore = new Date('2026-05-01T10:00:00Z');
      const stale: EnqueueTarget[] = [
        { id: 7, taskQueue: 'default', taskPriority: 5, notBefore: null },
        { id: 9, taskQueue: 'etl', taskPriority: 9, notBefore },
      ];
      executions.staleQueued = stale;

      await expect(service.sweep()).resolves.toEqual({ requeued: 2, failed: 0 });

      expect(executions.enqueued).toEqual([stale]);
      expect(executions.completed).toEqual([]);
      expect(executions.sweepQueries).toEqual([
        { method: 'findStaleQueued', seconds: 90, limit: 500 },
        { method: 'findLostRunning', seconds: 60, limit: 500 },
      ]);
    });

    it('fails each run whose worker was lost, saying why (complete() from running only: its default)', async () => {
      executions.lostRunning = [3, 4];

      await expect(service.sweep()).resolves.toEqual({ requeued: 0, failed: 2 });

      expect(executions.completed).toEqual([
        { id: 3, outcome: { status: 'failed', error: LOST_MESSAGE }, onlyFrom: undefined },
        { id: 4, outcome: { status: 'failed', error: LOST_MESSAGE }, onlyFrom: undefined },
      ]);
      expect(warnings).toHaveBeenCalledWith('Recovered 2 run(s) whose worker was lost');
    });

    it('does both in one sweep and counts each', async () => {
      executions.staleQueued = [{ id: 1, taskQueue: 'default', taskPriority: 5, notBefore: null }];
      executions.lostRunning = [2, 5, 8];
      await expect(service.sweep()).resolves.toEqual({ requeued: 1, failed: 3 });
      expect(executions.enqueuedRuns.map((r) => r.id)).toEqual([1]);
      expect(executions.completed.map((c) => c.id)).toEqual([2, 5, 8]);
    });

    it('finds nothing to repair: changes nothing and warns about nothing', async () => {
      await expect(service.sweep()).resolves.toEqual({ requeued: 0, failed: 0 });
      expect(executions.enqueuedRuns).toEqual([]);
      expect(executions.completed).toEqual([]);
      expect(warnings).not.toHaveBeenCalled();
    });
  });

  describe('the interval', () => {
    it('sweeps every RECOVERY_INTERVAL_SECONDS, never two sweeps at once, and survives a failed sweep', async () => {
      jest.useFakeTimers();
      let release!: () => void;
      const slow = new Promise<void>((resolve) => (release = resolve));
      let calls = 0;
      const findStaleQueued = executions.findStaleQueued.bind(executions);
      executions.findStaleQueued = async (seconds, limit) => {
        const call = ++calls;
        if (call === 1) await slow;
        if (call === 2) throw new Error('database unavailable');
        return findStaleQueued(seconds, limit);
      };
      service.onApplicationBootstrap();

      await jest.advanceTimersByTimeAsync(29_999);
      expect(calls).toBe(0);
      await jest.advanceTimersByTimeAsync(1);
      expect(calls).toBe(1);
      // The first sweep is still running: the next ticks start none.
      await jest.advanceTimersByTimeAsync(60_000);
      expect(calls).toBe(1);

      release();
      await jest.advanceTimersByTimeAsync(30_000);
      expect(calls).toBe(2);
      expect(warnings).toHaveBeenCalledWith('Recovery sweep failed: database unavailable');
      await jest.advanceTimersByTimeAsync(30_000);
      expect(calls).toBe(3);
      // Sweeps 1 and 3 went through to the lost runs; sweep 2 stopped at its failure.
      expect(executions.sweepQueries.map((q) => q.method)).toEqual([
        'findStaleQueued',
        'findLostRunning',
        'findStaleQueued',
        'findLostRunning',
      ]);

      await service.onModuleDestroy();
      expect(registry.doesExist('interval', 'run-recovery')).toBe(false);
      await jest.advanceTimersByTimeAsync(60_000);
      expect(calls).toBe(3);
    });

    it('waits for a sweep in progress when the module stops', async () => {
      jest.useFakeTimers();
      let release!: () => void;
      executions.findStaleQueued = () => new Promise((resolve) => (release = () => resolve([])));
      service.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(30_000);

      let stopped = false;
      const stopping = service.onModuleDestroy().then(() => (stopped = true));
      await Promise.resolve();
      expect(stopped).toBe(false);
      release();
      await stopping;
      expect(stopped).toBe(true);
    });
  });
});
