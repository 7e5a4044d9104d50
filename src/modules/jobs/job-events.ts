import type { EventEmitter2 } from '@nestjs/event-emitter';
import type { EntityManager } from 'typeorm';

/**
 * What happens to jobs, announced on the process's event bus for the modules above jobs. Unlike
 * the run events, `changed` is awaited inside the change's transaction: a listener's writes commit
 * or roll back with the change.
 */
export const JOB_EVENTS = {
  /** A job's definition or state changed (update, pause, resume), in transaction `tx`. */
  changed: 'job.changed',
} as const;

export interface JobChangedEvent {
  tx: EntityManager;
  jobId: number;
}

/**
 * Announces a change inside its transaction and waits for the listeners (the runs module drops
 * the runs claimed ahead under the old definition, answering their fire times). A process that
 * changes jobs must have one. Answers the fire times whose runs were dropped, earliest first.
 */
export async function announceJobChanged(events: EventEmitter2, event: JobChangedEvent): Promise<Date[]> {
  const answers: unknown[] = await events.emitAsync(JOB_EVENTS.changed, event);
  if (answers.length === 0) throw new Error(`No listener for ${JOB_EVENTS.changed}: the runs module is not loaded`);
  return answers
    .flatMap((answer) => (Array.isArray(answer) ? answer.filter((at): at is Date => at instanceof Date) : []))
    .sort((a, b) => a.getTime() - b.getTime());
}
