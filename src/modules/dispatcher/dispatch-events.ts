/** What the dispatcher announces on the process's event bus (metrics listen). */
export const DISPATCH_EVENTS = {
  /** A dispatch pass (one claim batch) completed. */
  pass: 'dispatch.pass',
} as const;

export interface DispatchPassEvent {
  /** When it completed (epoch ms). */
  at: number;
  /** Jobs claimed, runs released to their queues. */
  claimedJobs: number;
  releasedRuns: number;
}
