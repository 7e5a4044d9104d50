import { createHash } from 'node:crypto';

/** What limits a job's fire times besides its schedule: its active window and its run limit. */
export interface FireLimits {
  /** No fire time before it (null: none). */
  startAt: Date | null;
  /** No fire time at or after it (null: none). */
  endAt: Date | null;
  /** At most this many scheduled runs ever (null: unlimited). */
  maxRuns: number | null;
  /** Scheduled runs recorded so far. */
  scheduledRuns: number;
}

/** Scheduled runs the job may still record; null when unlimited. */
export function remainingRuns(limits: Pick<FireLimits, 'maxRuns' | 'scheduledRuns'>): number | null {
  return limits.maxRuns === null ? null : Math.max(0, limits.maxRuns - limits.scheduledRuns);
}

/** `next` when the job may still fire then; null when it is at or after end_at or the runs are used up. */
export function withinLimits(next: Date | null, limits: FireLimits): Date | null {
  if (!next || remainingRuns(limits) === 0) return null;
  return limits.endAt && next >= limits.endAt ? null : next;
}

/**
 * The dispatcher's fire times of one pass cut to the limits: none outside [start_at, end_at),
 * at most the runs remaining; the job's next fire time is null once nothing is left to fire.
 */
export function clampFireTimes(
  fireTimes: Date[],
  next: Date | null,
  limits: FireLimits,
): { fireTimes: Date[]; nextRunAt: Date | null } {
  const inWindow = fireTimes.filter(
    (at) => (!limits.startAt || at >= limits.startAt) && (!limits.endAt || at < limits.endAt),
  );
  const remaining = remainingRuns(limits);
  const kept = remaining === null ? inWindow : inWindow.slice(0, remaining);
  const after = { ...limits, scheduledRuns: limits.scheduledRuns + kept.length };
  return { fireTimes: kept, nextRunAt: withinLimits(next, after) };
}

/**
 * The deterministic start offset of a scheduled run, 0 ≤ offset < jitterSeconds (milliseconds):
 * derived from the job id and the fire time only, so every scheduler computes the same one.
 */
export function jitterOffsetMs(jobId: number, fireTime: Date, jitterSeconds: number): number {
  if (jitterSeconds <= 0) return 0;
  const digest = createHash('sha256').update(`${jobId}:${fireTime.getTime()}`).digest();
  return digest.readUIntBE(0, 6) % (jitterSeconds * 1000);
}
