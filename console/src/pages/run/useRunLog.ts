import { useEffect, useState } from 'react';
import type { RunLogLine } from '../../../../clients/typescript/src';
import { api, unwrap } from '../../api';

const POLL_MS = 1000;

/**
 * The run's log lines, followed live: GET /executions/{id}/logs with `after` until the run is
 * final and every line is read. (The SSE stream needs the bearer token, which EventSource
 * cannot send; polling with `after` reads exactly the same lines.)
 */
export function useRunLog(runId: number): { lines: RunLogLine[]; following: boolean; error: unknown } {
  const [lines, setLines] = useState<RunLogLine[]>([]);
  const [following, setFollowing] = useState(true);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let after = 0;
    setLines([]);
    setFollowing(true);
    const poll = async () => {
      try {
        const page = await unwrap(
          api.GET('/api/v1/executions/{id}/logs', { params: { path: { id: runId }, query: { after, limit: 1000 } } }),
        );
        if (stopped) return;
        setError(null);
        if (page.items.length > 0) setLines((previous) => [...previous, ...page.items]);
        const more = page.next_after !== null && page.next_after !== undefined && page.next_after > after;
        if (more) after = page.next_after;
        if (page.run_finished && !more) {
          setFollowing(false);
          return;
        }
        timer = setTimeout(() => void poll(), more ? 0 : POLL_MS);
      } catch (failure) {
        if (stopped) return;
        setError(failure);
        timer = setTimeout(() => void poll(), POLL_MS * 3);
      }
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [runId]);
  return { lines, following, error };
}
