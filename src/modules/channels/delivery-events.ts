/**
 * Announced on the process's event bus: after each try of a delivery (metrics count them), and
 * when a channel is created, changed or deleted in this process (the alerts side drops its copy
 * of the channel list).
 */
export const DELIVERY_EVENTS = {
  attempted: 'notification.attempted',
  channelsChanged: 'notification.channels-changed',
} as const;

export interface DeliveryAttemptedEvent {
  channelType: string;
  /** delivered; retrying (a failed try with tries left); failed (the last try failed). */
  outcome: 'delivered' | 'retrying' | 'failed';
}
