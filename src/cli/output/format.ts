/** Human-readable times for tables: "in 3 h", "5 min ago", "2026-01-02 09:30 UTC". */

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Relative to `now`: "in 3 h", "5 min ago", "just now"; "—" for no time. */
export function relativeTime(iso: string | null | undefined, now = new Date()): string {
  if (!iso) return '—';
  const seconds = Math.round((new Date(iso).getTime() - now.getTime()) / 1000);
  const magnitude = Math.abs(seconds);
  if (magnitude < 5) return 'just now';
  const span = humanSpan(magnitude);
  return seconds > 0 ? `in ${span}` : `${span} ago`;
}

/** A span of time in its largest sensible unit: "45 s", "5 min", "3 h", "2 d". */
export function humanSpan(seconds: number): string {
  if (Math.round(seconds) < MINUTE) return `${Math.round(seconds)} s`;
  if (Math.round(seconds / MINUTE) < 60) return `${Math.round(seconds / MINUTE)} min`;
  if (Math.round(seconds / HOUR) < 48) return `${Math.round(seconds / HOUR)} h`;
  return `${Math.round(seconds / DAY)} d`;
}

/** A run's duration: "0.42 s", "3 min 4 s", "2 h 5 min"; "—" when unknown. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 10) return `${seconds.toFixed(2)} s`;
  if (seconds < MINUTE) return `${Math.round(seconds)} s`;
  if (seconds < HOUR) return `${Math.floor(seconds / MINUTE)} min ${Math.round(seconds % MINUTE)} s`;
  return `${Math.floor(seconds / HOUR)} h ${Math.round((seconds % HOUR) / MINUTE)} min`;
}

/** "2026-01-02 09:30:00 UTC"; "—" for no time. */
export function utcTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "2026-01-02 09:30:00 UTC (in 3 h)". */
export function timeWithRelative(iso: string | null | undefined, now = new Date()): string {
  return iso ? `${utcTime(iso)} (${relativeTime(iso, now)})` : '—';
}

export function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${value}%`;
}
