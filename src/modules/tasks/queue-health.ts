/**
 * How the system health check learns about the queue. The executions module provides a real
 * probe by registering a provider under `QUEUE_HEALTH_PROBE` (in any module; it is looked up
 * application-wide); without one the check reports the queue as "not configured".
 */
export const QUEUE_HEALTH_PROBE = 'QUEUE_HEALTH_PROBE';

export interface QueueHealthReport {
  /** False when no probe is registered; the other fields are then absent. */
  configured: boolean;
  /** e.g. `postgres` or `redis`. */
  backend?: string;
  reachable?: boolean;
  /** Waiting (+ delayed) jobs per queue. */
  depth?: Record<string, number>;
  /** Workers seen alive recently. */
  live_workers?: number;
  error?: string;
}

export interface QueueHealthProbe {
  check(signal: AbortSignal): Promise<QueueHealthReport>;
}

export class NotConfiguredQueueHealthProbe implements QueueHealthProbe {
  check(): Promise<QueueHealthReport> {
    return Promise.resolve({ configured: false, error: 'not configured' });
  }
}
