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

/**
 * The wall-clock time of `iso` in `timeZone`: "14:30 EST", with the date when it is not the
 * UTC date ("2026-11-30 22:00 EST"). The zone's abbreviation is Intl's (en-US): "EST", "GMT+1".
 */
export function localTime(iso: string, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    })
      .formatToParts(new Date(iso))
      .map((part) => [part.type, part.value]),
  );
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  const time = `${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
  return date === iso.slice(0, 10) ? time : `${date} ${time}`;
}

/** Zones whose local time would only repeat the UTC one. */
const UTC_ZONES = new Set(['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Etc/Universal', 'Zulu']);

function nonUtc(timeZone: string | undefined): string | undefined {
  return timeZone && !UTC_ZONES.has(timeZone) ? timeZone : undefined;
}

/** "2026-12-01 19:30:00 UTC (14:30 EST, America/New_York)"; just the UTC time for a UTC zone. */
export function zonedTime(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return '—';
  const zone = nonUtc(timeZone);
  return zone ? `${utcTime(iso)} (${localTime(iso, zone)}, ${zone})` : utcTime(iso);
}

/**
 * "2026-01-02 09:30:00 UTC (in 3 h)"; with a job's time zone other than UTC, also its local
 * time: "2026-12-01 19:30:00 UTC (in 3 h; 14:30 EST, America/New_York)".
 */
export function timeWithRelative(iso: string | null | undefined, now = new Date(), timeZone?: string): string {
  if (!iso) return '—';
  const zone = nonUtc(timeZone);
  return `${utcTime(iso)} (${relativeTime(iso, now)}${zone ? `; ${localTime(iso, zone)}, ${zone}` : ''})`;
}

export function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${value}%`;
}
