/** Announced on the process's event bus after each try of a delivery (metrics count them). */
export const DELIVERY_EVENTS = { attempted: 'notification.attempted' } as const;

export interface DeliveryAttemptedEvent {
  channelType: string;
  /** delivered; retrying (a failed try with tries left); failed (the last try failed). */
  outcome: 'delivered' | 'retrying' | 'failed';
}
