/** Who performs an action: services receive it so API, CLI and workers audit the same way. */
export interface Actor {
  /** `user` (API), `cli` (./manage), `system` (scheduler, workers, bootstrap). */
  kind: 'user' | 'cli' | 'system';
  /** Audit name: the username, `cli:<os user>` or `system:<component>`. */
  name: string;
  userId?: number;
  isSuperuser: boolean;
  ip?: string;
}

export const systemActor = (component: string): Actor => ({
  kind: 'system',
  name: `system:${component}`,
  isSuperuser: true,
});
