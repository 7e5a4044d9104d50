import * as os from 'node:os';
import type { Actor } from '../common/actor';

/** Whoever runs ./manage on this machine: a superuser, audited as `cli:<os user>`. */
export function cliActor(): Actor {
  return { kind: 'cli', name: `cli:${osUser()}`, isSuperuser: true };
}

function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    // No passwd entry for this uid (some containers).
    return `uid-${process.getuid?.() ?? 'unknown'}`;
  }
}
