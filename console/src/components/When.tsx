import { exact, relative } from '../format';

/** A time in words ("in 5 min") with the exact time as its tooltip. */
export function When({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={exact(iso)}>
      {relative(iso)}
    </time>
  );
}
